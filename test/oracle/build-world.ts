/**
 * Turns a world spec (random choices) into a world (rows and configuration). Deterministic: the
 * same spec always gives the same world, so a failing spec printed by fast-check is a complete
 * reproduction.
 */
import { addDays, datesBetween, dayStart } from './calendar';
import {
  CATALOGUE_VARIANTS,
  MAILBOX_VALUES,
  MEDIA_CODES,
  SPANS,
  SPECIAL_AGENT_NAMES,
  SUBTYPE_CODES,
  SWITCH_NAMES,
  ZONES,
  type AnchorSpec,
  type GvpFactSpec,
  type MediaSpec,
  type TenantSpec,
  type WorldSpec,
} from './world-spec';
import type {
  CatalogueOverride,
  CfgAgentLoginRow,
  CfgDnRow,
  CfgFlexPropRow,
  CfgGroupRow,
  CfgLoginInfoRow,
  CfgPersonRow,
  CfgSwitchRow,
  GvpCallRow,
  GvpDatabase,
  GvpMediaSessionRow,
  InteractionRow,
  RegionConfig,
  ResourceRow,
  SessionRow,
  TenantConfig,
  World,
} from './world';

const TENANT_IDS = ['acme', 'globex', 'initech'] as const;
const REGION_CODES = ['US', 'EU', 'AP'] as const;
/** A GIM tenant and a Config DB tenant that no configuration names: their rows must never count. */
const FOREIGN_GIM_KEY = 9;
const FOREIGN_CFG_DBID = 109;
/** A media or interaction type key with no dimension row. */
const UNKNOWN_KEY = 99;

/** Row builder with the world's counters; DBIDs of different Config DB object types overlap on purpose. */
class Rows {
  nextResource = 1;
  nextSession = 1;
  nextInteraction = 1;
  nextSwitch = 1;
  nextPerson = 1;
  nextLogin = 1;
  nextDn = 1;
  nextGroup = 1;
  nextProp = 1;
  nextGvp = 1;
  readonly resources: ResourceRow[] = [];
  readonly sessions: SessionRow[] = [];
  readonly interactions: InteractionRow[] = [];
  readonly switches: CfgSwitchRow[] = [];
  readonly persons: CfgPersonRow[] = [];
  readonly agentLogins: CfgAgentLoginRow[] = [];
  readonly loginInfo: CfgLoginInfoRow[] = [];
  readonly dns: CfgDnRow[] = [];
  readonly groups: CfgGroupRow[] = [];
  readonly flexProps: CfgFlexPropRow[] = [];
  readonly gvp: Record<GvpDatabase, { calls: GvpCallRow[]; mediaSessions: GvpMediaSessionRow[] }> = {
    A: { calls: [], mediaSessions: [] },
    B: { calls: [], mediaSessions: [] },
  };

  /** An option `name` = `value` in section `section` of object (type, dbid), sharing the section row. */
  option(objectType: number, objectDbid: number, section: string, name: string, value: string | null): void {
    let sectionRow = this.flexProps.find(
      (p) => p.parentDbid === 0 && p.objectType === objectType && p.objectDbid === objectDbid && p.name === section,
    );
    if (sectionRow === undefined) {
      sectionRow = { dbid: this.nextProp++, objectDbid, objectType, parentDbid: 0, name: section, value: null };
      this.flexProps.push(sectionRow);
    }
    this.flexProps.push({ dbid: this.nextProp++, objectDbid, objectType, parentDbid: sectionRow.dbid, name, value });
  }
}

interface TenantContext {
  readonly config: TenantConfig;
  readonly spec: TenantSpec;
  /** Starts of the tenant's days from the day before the span to two days after it. */
  readonly boundaries: readonly number[];
  /** Keys of other configured tenants, for rows that belong elsewhere. */
  readonly otherGimKey: number;
  readonly otherCfgDbid: number;
}

const at = (context: TenantContext, anchor: AnchorSpec): number =>
  (context.boundaries[anchor.boundary % context.boundaries.length] ?? 0) + anchor.offset;

/** The first of the tenant's day starts after `t`: where an open session stops on the day it started. */
const nextBoundary = (context: TenantContext, t: number): number =>
  context.boundaries.find((b) => b > t) ?? t + 86_400;

function regionsOf(spec: TenantSpec): RegionConfig[] {
  const total = spec.regions.reduce((n, r) => n + r.locations.length, 0);
  const defaultIndex = spec.defaultLocation % total;
  let index = 0;
  return spec.regions.map((region, r) => {
    const code = REGION_CODES[r] ?? `R${r}`;
    const locations = region.locations.map((switchIndices, l) => {
      const location = { code: `${code}${l + 1}`, index: index++ };
      if (location.index === defaultIndex) return { code: location.code, switches: [] };
      // Two locations may list the same switch: the first in configuration order wins.
      const switches = switchIndices.map((i) => SWITCH_NAMES[i % SWITCH_NAMES.length] ?? 'SIP_A');
      return { code: location.code, switches };
    });
    // A region of a tenant with several regions needs its own GVP source.
    const gvp: GvpDatabase | undefined =
      region.gvp === 'top' ? (spec.regions.length > 1 ? (r % 2 === 0 ? 'A' : 'B') : undefined) : region.gvp;
    return { code, gvp, locations };
  });
}

function addAgents(rows: Rows, context: TenantContext, tenantSwitches: readonly CfgSwitchRow[]): number[] {
  const { config, spec } = context;
  const keys: number[] = [];
  let missing = 9000;
  for (const agent of spec.agents) {
    let cfgDbid: number | null = null;
    if (agent.person === 'person') {
      cfgDbid = rows.nextPerson++;
      rows.persons.push({ dbid: cfgDbid, tenantDbid: config.cfgTenantDbid, userName: `person${cfgDbid}` });
      for (const login of agent.logins) {
        const sw = tenantSwitches[login.switchIndex % tenantSwitches.length];
        if (sw === undefined) continue;
        const dbid = rows.nextLogin++;
        rows.agentLogins.push({ dbid, switchDbid: sw.dbid, tenantDbid: config.cfgTenantDbid, state: login.state });
        rows.loginInfo.push({ personDbid: cfgDbid, agentLoginDbid: dbid });
      }
    } else if (agent.person === 'missing') {
      cfgDbid = missing++;
    }
    const key = rows.nextResource++;
    const name = agent.name === 'plain' ? `agent${key}` : (SPECIAL_AGENT_NAMES[agent.name] ?? null);
    rows.resources.push({ key, tenantKey: config.gimTenantKey, typeCode: 'AGENT', name, cfgDbid });
    keys.push(key);
  }
  for (const typeCode of spec.nonAgents) {
    const key = rows.nextResource++;
    rows.resources.push({ key, tenantKey: config.gimTenantKey, typeCode, name: `${typeCode.toLowerCase()}${key}`, cfgDbid: null });
    keys.push(key);
  }
  // A session's resource with no resource_ row.
  if (spec.orphanResource) keys.push(rows.nextResource++);
  return keys;
}

/** The media_type key of a media spec: a channel of the tenant, or any code, or a key with no row. */
function mediaKey(context: TenantContext, spec: MediaSpec): number {
  const index = spec.from === 'channel' ? (context.spec.channels[spec.index % 2] ?? 0) : spec.index;
  return index < MEDIA_CODES.length ? index + 1 : UNKNOWN_KEY;
}

function addSessions(rows: Rows, context: TenantContext, resourceKeys: readonly number[]): SessionRow[] {
  const built: SessionRow[] = [];
  if (resourceKeys.length === 0) return built;
  // Agents come first in resourceKeys.
  const agents = Math.max(1, context.spec.agents.length);
  for (const spec of context.spec.sessions) {
    const pool = spec.resource.pool === 'agents' ? Math.min(agents, resourceKeys.length) : resourceKeys.length;
    let resourceKey = resourceKeys[spec.resource.index % pool] ?? 0;
    let start = at(context, spec.start);
    let end: number | null;
    const previous = built[built.length - 1];
    switch (spec.shape.kind) {
      case 'closed':
        end = start + spec.shape.seconds;
        break;
      case 'open':
        end = null;
        break;
      case 'zero':
        end = start;
        break;
      case 'negative':
        end = start - spec.shape.seconds;
        break;
      case 'touch':
        // The same agent again, starting the second the previous session ended.
        // (Not after an 'extreme' session: the column holds nothing after 2038.)
        if (previous !== undefined && previous.end !== null && previous.end < 2 ** 31 - 1 - spec.shape.seconds) {
          resourceKey = previous.resourceKey;
          start = previous.end;
        }
        end = start + spec.shape.seconds;
        break;
      case 'longAgo':
        end = spec.shape.open ? null : start;
        start -= spec.shape.days * 86_400;
        break;
      case 'extreme':
        // Before 1970 to 2037: total_duration (an integer column too) must still hold end - start.
        start = -3 * 86_400;
        end = spec.shape.open ? null : 2 ** 31 - 1 - 4 * 86_400;
        break;
    }
    const row: SessionRow = {
      key: rows.nextSession++,
      tenantKey: context.config.gimTenantKey,
      mediaKey: mediaKey(context, spec.media),
      resourceKey,
      start,
      end,
    };
    rows.sessions.push(row);
    built.push(row);
  }
  return built;
}

function addInteractions(
  rows: Rows,
  context: TenantContext,
  sessions: readonly SessionRow[],
  resourceKeys: readonly number[],
): void {
  if (sessions.length === 0) return;
  context.spec.interactions.forEach((spec, i) => {
    const sessionIndex = spec.session % sessions.length;
    const session = sessions[sessionIndex];
    if (session === undefined) return;
    const edge = session.end ?? nextBoundary(context, session.start);
    let start: number;
    switch (spec.place.kind) {
      case 'start':
        start = session.start;
        break;
      case 'end':
        start = edge;
        break;
      case 'beforeStart':
        start = session.start - 1;
        break;
      case 'lastSecond':
        start = edge - 1;
        break;
      case 'afterEnd':
        start = edge + 1;
        break;
      case 'inside':
        start = session.start + Math.floor((spec.place.permille * Math.max(edge - session.start, 0)) / 1000);
        break;
      case 'boundary':
        start = nextBoundary(context, session.start) + spec.place.delta;
        break;
    }
    const resourceKey =
      spec.resource === 'session' ? session.resourceKey : (resourceKeys[(i + 1) % resourceKeys.length] ?? session.resourceKey);
    rows.interactions.push({
      key: rows.nextInteraction++,
      tenantKey: spec.tenant === 'own' ? context.config.gimTenantKey : context.otherGimKey,
      resourceKey,
      mediaKey: spec.media === 'session' ? session.mediaKey : mediaKey(context, spec.media),
      typeKey: spec.subtype < SUBTYPE_CODES.length ? spec.subtype + 1 : UNKNOWN_KEY,
      start,
      handled: spec.handled,
    });
  });
}

/** A GVP fact's [startMs, endMs | null] from its spec; `previous` is the fact a 'touch' starts at. */
function gvpTimes(context: TenantContext, spec: GvpFactSpec, previous: number | null | undefined): [number, number | null] {
  let startMs = at(context, spec.start) * 1000 + spec.startMs;
  const startSecondMs = Math.floor(startMs / 1000) * 1000;
  switch (spec.shape.kind) {
    case 'closed':
      return [startMs, startSecondMs + spec.shape.seconds * 1000 + spec.endMs];
    case 'open':
      return [startMs, null];
    case 'zero':
      return [startMs, startMs];
    case 'negative':
      return [startMs, startSecondMs - spec.shape.seconds * 1000 + spec.endMs];
    case 'subsecond':
      return [startMs, startMs + spec.shape.ms];
    case 'touch':
      // (Not after an 'extreme' fact: a timestamp column holds nothing after 9999.)
      if (previous !== undefined && previous !== null && previous < Date.UTC(9000, 0, 1)) startMs = previous;
      return [startMs, startMs + spec.shape.seconds * 1000];
    case 'longAgo':
      return [startMs - spec.shape.days * 86_400_000, spec.shape.open ? null : startMs];
    case 'extreme':
      return [Date.UTC(1900, 0, 1, 0, 0, 0, 500), spec.shape.open ? null : Date.UTC(9999, 11, 31, 23, 59, 59, 999)];
  }
}

function gvpTenant(context: TenantContext, owner: GvpFactSpec['owner']): number {
  if (owner === 'own') return context.config.cfgTenantDbid;
  return owner === 'other' ? context.otherCfgDbid : FOREIGN_CFG_DBID;
}

function addGvp(rows: Rows, context: TenantContext): void {
  let previous: number | null | undefined;
  for (const spec of context.spec.calls) {
    const [startMs, endMs] = gvpTimes(context, spec, previous);
    previous = endMs;
    const id = rows.nextGvp++;
    rows.gvp[spec.db].calls.push({ id, component: spec.kind, sessionId: `s${id}`, tenantId: gvpTenant(context, spec.owner), startMs, endMs });
  }
  previous = undefined;
  for (const spec of context.spec.mediaSessions) {
    const [startMs, endMs] = gvpTimes(context, spec, previous);
    previous = endMs;
    const kind = spec.kind === 'TTS' ? 'TTS' : 'ASR';
    rows.gvp[spec.db].mediaSessions.push({ id: rows.nextGvp++, kind, tenantId: gvpTenant(context, spec.owner), startMs, endMs });
  }
}

function addVoicemail(rows: Rows, context: TenantContext, tenantSwitches: readonly CfgSwitchRow[]): void {
  const { config, spec } = context;
  const switchDbid = tenantSwitches[0]?.dbid ?? 0;
  for (let i = 0; i < spec.dns; i += 1) rows.dns.push({ dbid: rows.nextDn++, switchDbid, tenantDbid: config.cfgTenantDbid, state: 1 + (i % 2) });
  for (let i = 0; i < spec.groups; i += 1) rows.groups.push({ dbid: rows.nextGroup++, tenantDbid: config.cfgTenantDbid, state: 1 + (i % 2) });
  for (let i = 0; i < spec.extraLogins; i += 1) {
    rows.agentLogins.push({ dbid: rows.nextLogin++, switchDbid, tenantDbid: config.cfgTenantDbid, state: 2 - (i % 2) });
  }
  const own = (table: readonly { readonly dbid: number; readonly tenantDbid: number }[]): number[] =>
    table.filter((o) => o.tenantDbid === config.cfgTenantDbid).map((o) => o.dbid);
  const objects: Record<number, number[]> = {
    2: own(rows.dns),
    15: own(rows.agentLogins),
    5: own(rows.groups),
    3: own(rows.persons),
  };
  for (const prop of spec.props) {
    const candidates = objects[prop.objectType] ?? [];
    // With no object of that type, the option hangs on a DBID nobody owns: it has no tenant.
    const objectDbid = candidates[prop.object % Math.max(candidates.length, 1)] ?? 800 + prop.object;
    const value: string | null = MAILBOX_VALUES[prop.value] ?? null;
    rows.option(prop.objectType, objectDbid, prop.section, prop.option, value);
  }
}

/** Rows of a tenant and a Config DB tenant nobody configured, which must never reach any file. */
function addForeignDecoys(rows: Rows, from: string): void {
  const t0 = dayStart(from, 'UTC') - 86_400;
  const agent = rows.nextResource++;
  rows.resources.push({ key: agent, tenantKey: FOREIGN_GIM_KEY, typeCode: 'AGENT', name: 'intruder', cfgDbid: null });
  rows.sessions.push({ key: rows.nextSession++, tenantKey: FOREIGN_GIM_KEY, mediaKey: 1, resourceKey: agent, start: t0, end: t0 + 10 * 86_400 });
  rows.interactions.push({
    key: rows.nextInteraction++,
    tenantKey: FOREIGN_GIM_KEY,
    resourceKey: agent,
    mediaKey: 1,
    typeKey: 2,
    start: t0 + 60,
    handled: 1,
  });
  const dn = rows.nextDn++;
  rows.dns.push({ dbid: dn, switchDbid: 0, tenantDbid: FOREIGN_CFG_DBID, state: 1 });
  rows.option(2, dn, 'TServer', 'gvm_mailbox', '9999');
}

/** The world a spec describes. */
export function buildWorld(spec: WorldSpec): World {
  const span = SPANS[spec.span % SPANS.length] ?? { start: '2026-10-31', zones: ['UTC'] };
  const from = span.start;
  const to = addDays(from, spec.days - 1);
  const rows = new Rows();
  const configs: TenantConfig[] = spec.tenants.map((t, i) => ({
    id: TENANT_IDS[i] ?? `t${i}`,
    gimTenantKey: i + 1,
    cfgTenantDbid: 101 + i * 10,
    timezone: (t.zone.from === 'span' ? span.zones[t.zone.index % span.zones.length] : ZONES[t.zone.index % ZONES.length]) ?? 'UTC',
    productionDate: addDays(from, Math.min(t.productionOffset, spec.days - 1)),
    excludeAgents: t.exclude,
    metrics: t.metrics.length > 0 ? t.metrics : ['seats_workspace'],
    regions: regionsOf(t),
  }));
  configs.forEach((config, i) => {
    const tenantSpec = spec.tenants[i];
    if (tenantSpec === undefined) return;
    const other = configs[(i + 1) % configs.length];
    const context: TenantContext = {
      config,
      spec: tenantSpec,
      boundaries: datesBetween(addDays(from, -1), addDays(to, 2)).map((d) => dayStart(d, config.timezone)),
      otherGimKey: other !== undefined && other !== config ? other.gimTenantKey : FOREIGN_GIM_KEY,
      otherCfgDbid: other !== undefined && other !== config ? other.cfgTenantDbid : FOREIGN_CFG_DBID,
    };
    const tenantSwitches = SWITCH_NAMES.slice(0, tenantSpec.switchCount).map((name, k) => {
      const row: CfgSwitchRow = { dbid: rows.nextSwitch++, tenantDbid: config.cfgTenantDbid, name, state: tenantSpec.switchStates[k] ?? 1 };
      rows.switches.push(row);
      return row;
    });
    const resourceKeys = addAgents(rows, context, tenantSwitches);
    const sessions = addSessions(rows, context, resourceKeys);
    addInteractions(rows, context, sessions, resourceKeys);
    addGvp(rows, context);
    addVoicemail(rows, context, tenantSwitches);
  });
  addForeignDecoys(rows, from);
  const catalogue: Record<string, CatalogueOverride> = {};
  for (const [key, choice] of Object.entries(spec.catalogue)) {
    const variant = choice === null ? undefined : CATALOGUE_VARIANTS[key]?.[choice];
    if (variant !== undefined) catalogue[key] = variant;
  }
  const splitAt = spec.split === null ? undefined : addDays(from, Math.min(spec.split, spec.days - 2));
  return {
    from,
    to,
    batches:
      splitAt === undefined
        ? [{ from, to }]
        : [
            { from, to: splitAt },
            { from: addDays(splitAt, 1), to },
          ],
    now: `${addDays(to, 3)}T12:00:00Z`,
    tenants: configs,
    catalogue,
    gim: {
      tenants: [
        ...configs.map((c) => ({ tenantKey: c.gimTenantKey, name: c.id, cfgDbid: c.cfgTenantDbid })),
        { tenantKey: FOREIGN_GIM_KEY, name: 'foreign', cfgDbid: FOREIGN_CFG_DBID },
      ],
      media: MEDIA_CODES.map((code, i) => ({ key: i + 1, code })),
      interactionTypes: SUBTYPE_CODES.map((subtypeCode, i) => ({ key: i + 1, subtypeCode })),
      resources: rows.resources,
      sessions: rows.sessions,
      interactions: rows.interactions,
    },
    cfg: {
      tenants: [...configs.map((c) => ({ dbid: c.cfgTenantDbid, name: c.id })), { dbid: FOREIGN_CFG_DBID, name: 'foreign' }],
      switches: rows.switches,
      persons: rows.persons,
      agentLogins: rows.agentLogins,
      loginInfo: rows.loginInfo,
      dns: rows.dns,
      groups: rows.groups,
      flexProps: rows.flexProps,
    },
    gvp: rows.gvp,
  };
}
