/**
 * `bds check`: after the configuration validated, try every source and destination a
 * deployment uses, and report each as ok or failed with the reason.
 */
import { randomBytes } from 'node:crypto';
import { stat, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BdsConfig, SourceConfig } from '../../lib/config/types';
import { describeError } from '../../lib/errors';
import { createLogger } from '../../lib/log/logger';
import { CATALOGUE } from '../../lib/metrics/catalogue';
import { needsAgentSwitches } from '../../lib/staging/datasets';
import { ensureDir, type FileModes } from '../../lib/files/atomic';
import { openSource } from '../../lib/sources/open';
import type { SourceClient } from '../../lib/sources/types';
import { configTenantProblems, gimTenantProblem } from '../../lib/extract/tenant-sanity';

export interface CheckResult {
  readonly kind: 'config' | 'source' | 'destination';
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
  readonly warning?: string;
}

function sourcesInUse(config: BdsConfig): { name: string; config: SourceConfig }[] {
  const used = new Map<string, SourceConfig>();
  for (const tenant of config.tenants) {
    const families = new Set(tenant.metrics.map((key) => CATALOGUE.find((m) => m.key === key)?.source));
    if (families.has('gim') && config.sources.gim !== undefined) used.set('gim', config.sources.gim);
    if ((families.has('config') || (families.has('gim') && needsAgentSwitches(tenant))) && config.sources.config !== undefined) {
      used.set('config', config.sources.config);
    }
    if (families.has('gvp')) {
      for (const region of tenant.regions) {
        if (region.gvp !== undefined) used.set(`gvp@${region.code}`, region.gvp);
        else if (config.sources.gvp !== undefined) used.set('gvp', config.sources.gvp);
      }
    }
  }
  return [...used].map(([name, source]) => ({ name, config: source }));
}

async function checkSource(name: string, source: SourceConfig): Promise<CheckResult> {
  let client: SourceClient | undefined;
  try {
    client = await openSource(name, source);
    await client.ping();
    return { kind: 'source', name, ok: true };
  } catch (error) {
    return { kind: 'source', name, ok: false, detail: describeError(error) };
  } finally {
    await client?.close();
  }
}

async function checkFolder(folder: string): Promise<CheckResult> {
  const probe = join(folder, `.bds-check-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, 'bds check\n', { flag: 'wx' });
    await rm(probe, { force: true });
    return { kind: 'destination', name: `copyTo ${folder}`, ok: true };
  } catch (error) {
    return { kind: 'destination', name: `copyTo ${folder}`, ok: false, detail: describeError(error) };
  }
}

/**
 * Switches listed by more than one location of a tenant: valid (the first location in
 * configuration order wins, metrics.md), but the later listing never places an agent through
 * that switch, which is rarely what was meant.
 */
export function shadowedSwitchWarnings(config: BdsConfig): string[] {
  const warnings: string[] = [];
  for (const tenant of config.tenants) {
    const first = new Map<string, string>();
    for (const region of tenant.regions) {
      for (const location of region.locations) {
        for (const name of new Set(location.switches)) {
          const owner = first.get(name);
          if (owner === undefined) first.set(name, `${region.code}/${location.code}`);
          else {
            warnings.push(
              `tenant ${tenant.id}: switch ${JSON.stringify(name)} is listed by ${owner} and ${region.code}/${location.code}; ` +
                `its agents are placed in ${owner} (the first in configuration order), never through it in ${region.code}/${location.code}`,
            );
          }
        }
      }
    }
  }
  return warnings;
}

/**
 * What a wrong key would otherwise turn into silently: a `gimTenantKey` or `cfgTenantDbid` that
 * is not in its source gives all-zero files, and a switch name with a typo moves its agents to
 * the default location. Each tenant key must exist, and so must every configured switch.
 */
async function checkTenantsInSources(config: BdsConfig, reachable: ReadonlySet<string>): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const withClient = async (name: string, source: SourceConfig | undefined, work: (client: SourceClient) => Promise<CheckResult[]>): Promise<void> => {
    if (source === undefined || !reachable.has(name)) return;
    const client = await openSource(name, source);
    try {
      results.push(...(await work(client)));
    } catch (error) {
      results.push({ kind: 'source', name: `${name} tenants`, ok: false, detail: describeError(error) });
    } finally {
      await client.close();
    }
  };
  const families = (tenant: BdsConfig['tenants'][number]): Set<string | undefined> =>
    new Set(tenant.metrics.map((key) => CATALOGUE.find((m) => m.key === key)?.source));
  await withClient('gim', config.sources.gim, async (client) => {
    const out: CheckResult[] = [];
    for (const tenant of config.tenants.filter((t) => families(t).has('gim'))) {
      const problem = await gimTenantProblem(client, tenant);
      out.push({ kind: 'source', name: `gim tenant ${tenant.id}`, ok: problem === undefined, ...(problem === undefined ? {} : { detail: problem }) });
    }
    return out;
  });
  await withClient('config', config.sources.config, async (client) => {
    const out: CheckResult[] = [];
    for (const tenant of config.tenants) {
      const usesConfig = families(tenant).has('config') || (families(tenant).has('gim') && needsAgentSwitches(tenant));
      if (!usesConfig) continue;
      const problems = await configTenantProblems(client, tenant, families(tenant).has('gim') && needsAgentSwitches(tenant));
      out.push({
        kind: 'source',
        name: `config tenant ${tenant.id}`,
        ok: problems.length === 0,
        ...(problems.length === 0 ? {} : { detail: problems.join('; ') }),
      });
    }
    return out;
  });
  return results;
}

/** Tries every connection; never throws. `modes`: for the data directory, should it have to be created. */
export async function checkConnections(config: BdsConfig, modes: FileModes): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const warning of shadowedSwitchWarnings(config)) results.push({ kind: 'config', name: config.configPath, ok: true, warning });
  try {
    const mode = (await stat(config.configPath)).mode;
    if ((mode & 0o004) !== 0) {
      results.push({
        kind: 'config',
        name: config.configPath,
        ok: true,
        warning: `${config.configPath} is readable by every user of this machine; it may hold secrets: chmod 640 it`,
      });
    }
  } catch {
    // The file was read a moment ago; a stat failure here changes nothing to report.
  }
  const sources = sourcesInUse(config);
  for (const source of sources) results.push(await checkSource(source.name, source.config));
  // Only sources that answered: a connection failure is reported once, above.
  const reachable = new Set(results.filter((r) => r.kind === 'source' && r.ok).map((r) => r.name));
  results.push(...(await checkTenantsInSources(config, reachable)));
  await ensureDir(config.dataDir, modes).catch(() => undefined);
  const data = await checkFolder(config.dataDir);
  results.push({ ...data, name: `dataDir ${config.dataDir}` });
  const s3 = config.transmit?.s3;
  if (s3 !== undefined) {
    // Loaded only for a deployment that delivers to S3 (the SDK takes a while to load).
    const [{ HeadBucketCommand }, { createS3Client }] = await Promise.all([import('@aws-sdk/client-s3'), import('../../lib/transmit/s3')]);
    const client = createS3Client(s3);
    try {
      await client.send(new HeadBucketCommand({ Bucket: s3.bucket }));
      results.push({ kind: 'destination', name: `s3://${s3.bucket}/${s3.prefix}`, ok: true });
    } catch (error) {
      results.push({ kind: 'destination', name: `s3://${s3.bucket}/${s3.prefix}`, ok: false, detail: describeError(error) });
    } finally {
      client.destroy();
    }
  }
  const sftp = config.transmit?.sftp;
  if (sftp !== undefined) {
    // Loaded only for a deployment that delivers by SFTP: connect, pin the host key, write and
    // remove a probe file in the remote root.
    const { probeSftp, sftpDestinationId } = await import('../../lib/transmit/sftp');
    const name = sftpDestinationId(sftp);
    try {
      await probeSftp(sftp, createLogger({ level: 'error' }));
      results.push({ kind: 'destination', name, ok: true });
    } catch (error) {
      results.push({ kind: 'destination', name, ok: false, detail: describeError(error) });
    }
  }
  for (const folder of config.transmit?.copyTo ?? []) results.push(await checkFolder(folder));
  return results;
}
