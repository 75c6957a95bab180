/**
 * The rules that relate one part of the configuration to another: uniqueness of ids and codes,
 * the default location, which sources a tenant's metrics need, which keys go together.
 *
 * They read parsed, typed parts (`ConfigParts`), never the raw data: each part is parsed on its
 * own (validate.ts), so a part with a shape problem is left out here (its shape problem is
 * reported) while the rules still run on every part that did parse. One run shows every problem
 * of the file, as far as the parts that parsed allow.
 */
import { findMetric, METRIC_KEYS, VOICEMAIL_METRIC_KEYS } from '../metrics/catalogue';
import type { MetricDefinition } from '../metrics/catalogue';
import { formatPath } from './errors';
import type { PathSegment, RawProblem } from './errors';
import { closest, MISSING_KEY, suggestion } from './messages';
import type { ParsedOverride, ParsedRegion, ParsedS3, ParsedSftp, ParsedSource, ParsedTenant } from './shapes';

type ParsedLocation = ParsedRegion['locations'][number];

/**
 * One of `sources`. Whether it is given matters even when it did not parse: a tenant that needs
 * it must not be told it is missing, and a single-region tenant may rely on `sources.gvp`.
 */
export interface SourcePart {
  readonly given: boolean;
  /** The source, when it parsed. */
  readonly source: ParsedSource | undefined;
}

/**
 * A tenant's parts the rules read, each `undefined` where it did not parse (or, for a list, is
 * not a list). A tenant that parsed as a whole has them all; one that did not is parsed value
 * by value, so that e.g. a bad time zone does not hide a duplicate id or location code.
 */
export interface TenantPart {
  readonly id: ParsedTenant['id'] | undefined;
  /** Indexed like `metrics`. */
  readonly metrics: readonly (ParsedTenant['metrics'][number] | undefined)[] | undefined;
  /** Indexed like `regions`; `undefined` entries are not mappings. */
  readonly regions: readonly (RegionPart | undefined)[] | undefined;
}

/** A region's parts, as `TenantPart`'s. */
export interface RegionPart {
  readonly code: ParsedRegion['code'] | undefined;
  readonly gvp: SourcePart;
  /** Indexed like `locations`; `undefined` entries are not mappings. */
  readonly locations: readonly (LocationPart | undefined)[] | undefined;
}

/** A location's parts, as `TenantPart`'s. */
export interface LocationPart {
  readonly code: ParsedLocation['code'] | undefined;
  readonly switches: ParsedLocation['switches'] | undefined;
}

/**
 * One `catalogue` entry: its key, the override when it parsed, and the measures it names (the
 * keys of `measureCodes`, known whenever that is a mapping, even when their codes are wrong).
 */
export interface CataloguePart {
  readonly key: string;
  readonly override: ParsedOverride | undefined;
  readonly measures: readonly string[];
}

/** The parts of the configuration the rules read, each parsed on its own. */
export interface ConfigParts {
  /** Undefined when `sources` is not a mapping: which sources are given is then unknown. */
  readonly sources: { readonly gim: SourcePart; readonly config: SourcePart; readonly gvp: SourcePart } | undefined;
  /** Indexed like `tenants`. */
  readonly tenants: readonly TenantPart[];
  readonly s3: ParsedS3 | undefined;
  readonly sftp: ParsedSftp | undefined;
  readonly catalogue: readonly CataloguePart[];
}

interface TenantFacts {
  readonly label: string;
  readonly metrics: readonly MetricDefinition[];
  readonly locationCount: number;
}

/**
 * Checks the rules that relate values to each other, on the parts that parsed; a rule that
 * needs a part that did not parse is skipped (that part's shape problems say what is wrong).
 */
export function relationProblems(parts: ConfigParts): RawProblem[] {
  const problems: RawProblem[] = [];
  const { sources } = parts;
  if (sources !== undefined) {
    for (const name of ['gim', 'config', 'gvp'] as const) {
      const { source } = sources[name];
      if (source !== undefined) {
        checkSource(source, ['sources', name], problems);
        if (name !== 'gvp' && source.queries !== undefined) {
          problems.push({
            path: ['sources', name, 'queries'],
            message: 'only GVP sources take custom queries (sources.gvp or tenants[].regions[].gvp)',
          });
        }
      }
    }
  }

  const tenantIds = new Map<string, number>();
  const facts: TenantFacts[] = [];
  parts.tenants.forEach((tenant, index) => {
    const { id } = tenant;
    if (id !== undefined) {
      // Ids name folders; compared ignoring case so two tenants never share one on a
      // case-insensitive file system.
      const first = tenantIds.get(id.toLowerCase());
      if (first === undefined) {
        tenantIds.set(id.toLowerCase(), index);
      } else {
        problems.push({
          path: ['tenants', index, 'id'],
          message:
            `duplicate tenant id ${JSON.stringify(id)} ` +
            `(already used by tenants[${first}]; ids are compared ignoring case)`,
        });
      }
    }
    facts.push(checkTenant(tenant, index, sources, problems));
  });

  // Which sources exist is unknown when `sources` did not parse as a mapping: saying one is
  // missing would only echo that shape problem.
  if (sources !== undefined) {
    requireSource(sources.gim, 'gim', facts, problems);
    requireSource(sources.config, 'config', facts, problems);
  }

  if (parts.s3 !== undefined) {
    checkS3(parts.s3, problems);
  }
  if (parts.sftp !== undefined) {
    checkSftp(parts.sftp, problems);
  }
  checkCatalogue(parts.catalogue, problems);
  return problems;
}

function checkSource(source: ParsedSource, path: readonly PathSegment[], problems: RawProblem[]): void {
  const has = (key: keyof ParsedSource): boolean => source[key] !== undefined;
  if (source.client === 'pg') {
    for (const key of ['encrypt', 'trustServerCertificate'] as const) {
      if (has(key)) {
        problems.push({ path: [...path, key], message: 'only for mssql sources; a pg source uses ssl' });
      }
    }
  }
  if (source.client === 'mssql' && has('ssl')) {
    problems.push({
      path: [...path, 'ssl'],
      message: 'only for pg sources; an mssql source uses encrypt and trustServerCertificate',
    });
  }
  if (has('connectionString')) {
    for (const key of ['host', 'port', 'database', 'user', 'password'] as const) {
      if (has(key)) {
        problems.push({
          path: [...path, key],
          message:
            'not allowed together with connectionString: ' +
            'give either connectionString or host/port/database/user/password',
        });
      }
    }
  } else if (has('host')) {
    if (!has('database')) {
      problems.push({
        path: [...path, 'database'],
        message: `${MISSING_KEY} (a source given by host needs a database)`,
      });
    }
  } else {
    problems.push({ path, message: 'needs either connectionString, or host and database' });
  }
}

function checkTenant(
  tenant: TenantPart,
  index: number,
  sources: ConfigParts['sources'],
  problems: RawProblem[],
): TenantFacts {
  const base: PathSegment[] = ['tenants', index];
  const { id } = tenant;
  const label = id === undefined ? `tenants[${index}]` : `tenants[${index}] (${JSON.stringify(id)})`;

  // Metrics: no duplicates, at most one voicemail metric.
  const metrics: MetricDefinition[] = [];
  const seenMetrics = new Map<string, number>();
  let voicemail: string | undefined;
  (tenant.metrics ?? []).forEach((key, m) => {
    if (key === undefined) {
      return;
    }
    const first = seenMetrics.get(key);
    if (first !== undefined) {
      problems.push({
        path: [...base, 'metrics', m],
        message: `${JSON.stringify(key)} is listed twice (first at metrics[${first}])`,
      });
      return;
    }
    seenMetrics.set(key, m);
    // The shape admits only known keys; the lookup is for the metric's definition.
    const metric = findMetric(key);
    if (metric !== undefined) {
      metrics.push(metric);
    }
    if (VOICEMAIL_METRIC_KEYS.includes(key)) {
      if (voicemail === undefined) {
        voicemail = key;
      } else {
        problems.push({
          path: [...base, 'metrics', m],
          message: `at most one voicemail metric per tenant: ${JSON.stringify(voicemail)} is already enabled`,
        });
      }
    }
  });

  // Regions and locations: unique codes, exactly one default location.
  const regions = tenant.regions ?? [];
  const regionCodes = new Map<string, number>();
  const locationCodes = new Map<string, string>();
  const defaults: string[] = [];
  let locationCount = 0;
  let unreadableSwitches = false;
  for (const [r, region] of regions.entries()) {
    if (region === undefined) {
      // Its locations cannot be counted: claiming "no default location" would only echo the
      // shape problem of this region.
      unreadableSwitches = true;
      continue;
    }
    const regionPath: PathSegment[] = [...base, 'regions', r];
    const { code } = region;
    if (code !== undefined) {
      const first = regionCodes.get(code.toLowerCase());
      if (first === undefined) {
        regionCodes.set(code.toLowerCase(), r);
      } else {
        problems.push({
          path: [...regionPath, 'code'],
          message:
            `duplicate region code ${JSON.stringify(code)} ` +
            `(already used by regions[${first}]; codes are compared ignoring case)`,
        });
      }
    }
    if (region.gvp.source !== undefined) {
      checkSource(region.gvp.source, [...regionPath, 'gvp'], problems);
    }
    if (region.locations === undefined) {
      unreadableSwitches = true;
    }
    for (const [l, location] of (region.locations ?? []).entries()) {
      if (location === undefined) {
        unreadableSwitches = true;
        continue;
      }
      locationCount += 1;
      const locationPath: PathSegment[] = [...regionPath, 'locations', l];
      const where = formatPath(locationPath);
      const locationCode = location.code;
      if (locationCode !== undefined) {
        const first = locationCodes.get(locationCode.toLowerCase());
        if (first === undefined) {
          locationCodes.set(locationCode.toLowerCase(), where);
        } else {
          problems.push({
            path: [...locationPath, 'code'],
            message:
              `duplicate location code ${JSON.stringify(locationCode)} in this tenant ` +
              `(already used by ${first}; codes are compared ignoring case)`,
          });
        }
      }
      if (location.switches === undefined) {
        unreadableSwitches = true;
        continue;
      }
      if (location.switches.length === 0) {
        defaults.push(locationCode ?? where);
      }
      // A switch listed by two locations is allowed: metrics.md places an agent in the first
      // location, in configuration order, that lists one of its switches (`bds check` warns
      // that the later listing never places anyone through it).
    }
  }
  // With a `switches` that did not parse (its shape problem is reported) the count of defaults
  // is unknown, unless there are already too many.
  if (locationCount > 0 && (defaults.length > 1 || (defaults.length === 0 && !unreadableSwitches))) {
    const names = defaults.map((d) => JSON.stringify(d)).join(', ');
    const found = defaults.length === 0 ? 'found none' : `found ${defaults.length}: ${names}`;
    problems.push({
      path: [...base, 'regions'],
      message: `exactly one location of the tenant must have no switches (the default location); ${found}`,
    });
  }

  // GVP: every region needs a GVP source; the top-level one only serves a single-region tenant.
  // Whether sources.gvp is given is unknown when `sources` is not a mapping (its shape problem
  // is reported): the rule waits for that fix rather than guess.
  const gvpMetric = metrics.find((m) => m.source === 'gvp');
  if (gvpMetric !== undefined && sources !== undefined) {
    const topLevel = sources.gvp.given;
    regions.forEach((region, r) => {
      if (region === undefined || region.gvp.given) {
        return;
      }
      if (regions.length === 1) {
        if (!topLevel) {
          problems.push({
            path: [...base, 'regions', r, 'gvp'],
            message:
              `required because ${label} enables ${gvpMetric.key}: ` +
              'give this region a gvp source, or set sources.gvp',
          });
        }
        return;
      }
      problems.push({
        path: [...base, 'regions', r, 'gvp'],
        message:
          `required because ${label} enables ${gvpMetric.key} and has ${regions.length} regions: ` +
          'each region needs its own gvp source' +
          (topLevel ? ' (sources.gvp only serves a tenant with a single region)' : ''),
      });
    });
  }

  return { label, metrics, locationCount };
}

function requireSource(
  source: SourcePart,
  name: 'gim' | 'config',
  facts: readonly TenantFacts[],
  problems: RawProblem[],
): void {
  if (source.given) {
    return;
  }
  const database = name === 'gim' ? 'the GIM database' : 'the Config DB';
  for (const tenant of facts) {
    const metric = tenant.metrics.find((m) => m.source === name);
    if (metric !== undefined) {
      problems.push({
        path: ['sources', name],
        message: `${MISSING_KEY}: ${tenant.label} enables ${metric.key}, which is read from ${database}`,
      });
      return;
    }
    if (name === 'config' && tenant.locationCount > 1) {
      problems.push({
        path: ['sources', name],
        message:
          `${MISSING_KEY}: ${tenant.label} has ${tenant.locationCount} locations, ` +
          'and placing agents in locations reads the Config DB',
      });
      return;
    }
  }
}

function checkS3(s3: ParsedS3, problems: RawProblem[]): void {
  const pairs: readonly (readonly ['accessKeyId' | 'secretAccessKey', 'accessKeyId' | 'secretAccessKey'])[] = [
    ['accessKeyId', 'secretAccessKey'],
    ['secretAccessKey', 'accessKeyId'],
  ];
  for (const [given, needed] of pairs) {
    if (s3[given] !== undefined && s3[needed] === undefined) {
      problems.push({
        path: ['transmit', 's3', needed],
        message: `${MISSING_KEY}: ${given} is given (give both, or neither to use the AWS SDK's default credentials)`,
      });
    }
  }
}

function checkSftp(sftp: ParsedSftp, problems: RawProblem[]): void {
  const path: PathSegment[] = ['transmit', 'sftp'];
  const hasKey = sftp.privateKey !== undefined;
  if (hasKey && sftp.password !== undefined) {
    problems.push({
      path: [...path, 'password'],
      message: 'not allowed together with privateKey: give either privateKey (a key file, or the key through ${env:NAME}) or password',
    });
  } else if (!hasKey && sftp.password === undefined) {
    problems.push({
      path: [...path, 'privateKey'],
      message: `${MISSING_KEY}: give privateKey (the path of a private key file, or the key through \${env:NAME}) or password`,
    });
  }
  if (sftp.passphrase !== undefined && !hasKey) {
    problems.push({ path: [...path, 'passphrase'], message: 'only with privateKey: a passphrase unlocks an encrypted private key' });
  }
}

function checkCatalogue(entries: readonly CataloguePart[], problems: RawProblem[]): void {
  for (const { key, override, measures: named } of entries) {
    const path: PathSegment[] = ['catalogue', key];
    // The key and the measures it names are checked whatever the shape of the override.
    const metric = findMetric(key);
    if (metric === undefined) {
      problems.push({ path, message: `unknown metric${suggestion(key, METRIC_KEYS)}` });
      continue;
    }
    if (override?.mediaCodes !== undefined && metric.family !== 'seats') {
      problems.push({
        path: [...path, 'mediaCodes'],
        message: `only seat metrics have media codes; ${key} is a ${metric.family} metric`,
      });
    }
    if (override?.subtypeCodes !== undefined) {
      if (metric.family !== 'seats') {
        problems.push({
          path: [...path, 'subtypeCodes'],
          message: `only seat metrics have subtype codes; ${key} is a ${metric.family} metric`,
        });
      } else if (!metric.requiresInteraction) {
        problems.push({
          path: [...path, 'subtypeCodes'],
          message: `${key} counts sessions without requiring an interaction, so subtype codes do not apply`,
        });
      }
    }
    const measures = metric.measures.map((d) => d.measure);
    for (const measure of named) {
      if (!(measures as readonly string[]).includes(measure)) {
        const near = closest(measure, measures);
        problems.push({
          path: [...path, 'measureCodes', measure],
          message:
            `${key} has no measure ${JSON.stringify(measure)} (its measures: ${measures.join(', ')})` +
            (near === undefined ? '' : `; did you mean ${JSON.stringify(near)}?`),
        });
      }
    }
  }
}
