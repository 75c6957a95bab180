/**
 * Checks the configuration data (after environment substitution): its shape (shapes.ts), then
 * the rules across values (rules.ts) on the parts that parsed. The loader renders, sorts and
 * redacts the problems.
 */
import * as z from 'zod';
import { isPlainRecord } from './env';
import type { RawProblem } from './errors';
import { issueMessage, issuesToProblems } from './messages';
import { relationProblems } from './rules';
import type { ConfigParts, LocationPart, RegionPart, SourcePart, TenantPart } from './rules';
import { configSchema, locationSchema, overrideSchema, regionSchema, s3Schema, sftpSchema, sourceSchema, tenantSchema } from './shapes';
import type { ParsedConfig, ParsedRegion, ParsedSource, ParsedTenant } from './shapes';

/**
 * The outcome of `checkConfig`: `success` when the shape is right (`data` is then the parsed
 * file), and every problem found, shape problems first; a file whose shape is right may still
 * break a rule.
 */
export type CheckedConfig =
  | { readonly success: true; readonly data: ParsedConfig; readonly problems: readonly RawProblem[] }
  | { readonly success: false; readonly problems: readonly RawProblem[] };

/**
 * Checks the data of a configuration file: every shape problem, then every problem of the rules
 * across values. The file is valid when the shape is right and there are no problems.
 */
export function checkConfig(data: unknown): CheckedConfig {
  const result = configSchema.safeParse(data, { error: issueMessage });
  if (result.success) {
    return { success: true, data: result.data, problems: relationProblems(partsOfConfig(result.data)) };
  }
  // zod gives no value at all once any part fails, so the parts are parsed again one by one:
  // the rules then still run on everything that is right, and one run reports every problem.
  // Only a file with problems pays for the second parse.
  return {
    success: false,
    problems: [...issuesToProblems(result.error.issues, configSchema), ...relationProblems(partsOfData(data))],
  };
}

/** The parts of a file that parsed as a whole. */
function partsOfConfig(config: ParsedConfig): ConfigParts {
  return {
    sources: { gim: given(config.sources?.gim), config: given(config.sources?.config), gvp: given(config.sources?.gvp) },
    tenants: config.tenants.map(tenantPartOf),
    s3: config.transmit?.s3,
    sftp: config.transmit?.sftp,
    catalogue: Object.entries(config.catalogue ?? {}).map(([key, override]) => ({
      key,
      override,
      measures: Object.keys(override.measureCodes ?? {}),
    })),
  };
}

function given(source: ParsedSource | undefined): SourcePart {
  return { given: source !== undefined, source };
}

function tenantPartOf(tenant: ParsedTenant): TenantPart {
  return { id: tenant.id, metrics: tenant.metrics, regions: tenant.regions.map(regionPartOf) };
}

function regionPartOf(region: ParsedRegion): RegionPart {
  return { code: region.code, gvp: given(region.gvp), locations: region.locations };
}

/**
 * The parts of a file whose shape is wrong somewhere, each parsed on its own: whole where it
 * parses, otherwise value by value. Only the layout around the parts is read from the raw data
 * (is `tenants` a list, is `sources` a mapping, which keys a mapping has); every value the
 * rules see went through its schema.
 */
function partsOfData(data: unknown): ConfigParts {
  const root = isPlainRecord(data) ? data : {};
  const sources = root.sources === undefined ? {} : isPlainRecord(root.sources) ? root.sources : undefined;
  const transmit = isPlainRecord(root.transmit) ? root.transmit : {};
  return {
    sources:
      sources === undefined
        ? undefined
        : { gim: sourcePart(sources.gim), config: sourcePart(sources.config), gvp: sourcePart(sources.gvp) },
    tenants: Array.isArray(root.tenants) ? root.tenants.map(tenantPart) : [],
    s3: parsed(s3Schema, transmit.s3),
    sftp: parsed(sftpSchema, transmit.sftp),
    catalogue: isPlainRecord(root.catalogue)
      ? Object.entries(root.catalogue).map(([key, value]) => ({
          key,
          override: parsed(overrideSchema, value),
          // `measureCodes` is keyed by measure: the keys are the measures, whatever their codes.
          measures: isPlainRecord(value) && isPlainRecord(value.measureCodes) ? Object.keys(value.measureCodes) : [],
        }))
      : [],
  };
}

function sourcePart(value: unknown): SourcePart {
  return { given: value !== undefined, source: parsed(sourceSchema, value) };
}

function tenantPart(value: unknown): TenantPart {
  const tenant = parsed(tenantSchema, value);
  if (tenant !== undefined) {
    return tenantPartOf(tenant);
  }
  const fields = isPlainRecord(value) ? value : {};
  return {
    id: parsed(tenantSchema.shape.id, fields.id),
    metrics: listOf(fields.metrics, (metric) => parsed(tenantSchema.shape.metrics.element, metric)),
    regions: listOf(fields.regions, regionPart),
  };
}

function regionPart(value: unknown): RegionPart | undefined {
  if (!isPlainRecord(value)) {
    return undefined;
  }
  const region = parsed(regionSchema, value);
  if (region !== undefined) {
    return regionPartOf(region);
  }
  return {
    code: parsed(regionSchema.shape.code, value.code),
    gvp: sourcePart(value.gvp),
    locations: listOf(value.locations, locationPart),
  };
}

function locationPart(value: unknown): LocationPart | undefined {
  if (!isPlainRecord(value)) {
    return undefined;
  }
  return {
    code: parsed(locationSchema.shape.code, value.code),
    switches: parsed(locationSchema.shape.switches, value.switches),
  };
}

/** Each item of a list mapped, or undefined when `value` is not a list. */
function listOf<T>(value: unknown, item: (value: unknown) => T): readonly T[] | undefined {
  return Array.isArray(value) ? value.map((v: unknown) => item(v)) : undefined;
}

/** The value parsed by `schema`, or undefined when it does not parse (absent included). */
function parsed<S extends z.ZodType>(schema: S, value: unknown): z.output<S> | undefined {
  // The issues are the whole file's parse's to report; here only success matters.
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}
