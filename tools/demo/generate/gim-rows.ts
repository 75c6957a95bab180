/**
 * GIM rows: the dimensions (tenants, media and interaction types, resources), and the session and
 * interaction facts the agents' days are made of.
 */
import { dtKey } from './days';
import { HANDLE_SECONDS, mediaKey, queueDnDbid, type AgentModel, type QueueModel } from './model';
import { at, type Rng } from './random';
import { INTERACTION_TYPES, IT, MEDIA_TYPES, OPEN_END_DATE_TIME_KEY, type Emit, type MediaCode } from './tables';
import type { TenantRun } from './tenant-run';

export type Span = [number, number];

/** Tenants, the two fixed dimensions and every tenant's resources. */
export function* dimensionRows(tenants: readonly TenantRun[]): Generator<Emit> {
  for (const t of tenants) yield ['tenant', [t.layout.gimTenantKey, t.layout.name, t.layout.cfgTenantDbid]];
  for (const m of MEDIA_TYPES) yield ['media_type', [m.key, m.name, m.code, m.online]];
  for (const it of INTERACTION_TYPES) {
    yield ['interaction_type', [it.key, it.type, it.code, it.subtype, it.subtypeCode]];
  }
  for (const t of tenants) {
    const tenantKey = t.layout.gimTenantKey;
    const names = t.layout.switches.map((s) => s.name);
    for (const a of t.agents) {
      const primary = a.switches[0];
      let switchName: string | null = primary === undefined ? null : at(names, primary);
      // GIM copies the switch once and never updates it: stale names are normal, the Config DB
      // is what places an agent in a region.
      if (a.staleSwitchName && names.length > 1) switchName = at(names, ((primary ?? -1) + 1) % names.length);
      yield [
        'resource_',
        [a.resourceKey, tenantKey, 'Agent', 'AGENT', null, a.userName, a.firstName, a.lastName, a.employeeId,
          switchName, a.personDbid, 3],
      ];
    }
    const hasSwitch = names.length > 0;
    for (const [k, q] of t.queues.entries()) {
      yield [
        'resource_',
        [q.resourceKey, tenantKey, q.code === 'QUEUE' ? 'Queue' : 'Routing Point', q.code,
          q.code === 'QUEUE' ? 'Virtual Queue' : null, q.name, null, null, null, names[0] ?? null,
          hasSwitch ? queueDnDbid(t.layout.cfgTenantDbid, 0, k) : null, hasSwitch ? 2 : null],
      ];
    }
  }
}

/** Emits one session; returns the window in which it can carry interactions, if it exists. */
export function* session(
  t: TenantRun,
  resourceKey: number,
  media: MediaCode,
  start: number,
  plannedEnd: number,
  forcedOpen: boolean,
): Generator<Emit, Span | undefined> {
  if (start >= t.snapshot) return undefined;
  const open = forcedOpen || plannedEnd > t.snapshot;
  if (open) t.openSessions += 1;
  yield [
    'sm_res_session_fact',
    [t.next('sm_res_session_fact'), t.layout.gimTenantKey, mediaKey(media), resourceKey, dtKey(start),
      open ? OPEN_END_DATE_TIME_KEY : dtKey(plannedEnd), start, open ? null : plannedEnd,
      open ? null : plannedEnd - start, open ? 1 : 0],
  ];
  return [start, Math.min(plannedEnd, t.snapshot)];
}

interface InteractionOptions {
  /** Force handled or not (default: 90 % handled). */
  readonly handled?: boolean;
  /** false: no queue part even for an inbound interaction. */
  readonly queue?: boolean;
  /** Force the agent's handling time. */
  readonly seconds?: number;
}

/** The virtual queue an interaction waited in before reaching the agent, if any. */
function queueFor(t: TenantRun, rng: Rng, media: MediaCode, type: number): QueueModel | undefined {
  if (type === IT.callback) return at(t.queues, 2);
  if (type !== IT.inboundNew && type !== IT.inboundReply) return undefined;
  if (!rng.chance(0.6)) return undefined;
  if (media === 'VOICE') return at(t.queues, rng.chance(0.5) ? 0 : 1);
  return at(t.queues, media === 'EMAIL' ? 4 : 3);
}

/** One interaction: its interaction_fact, maybe a queue's part, and the agent's part. */
export function* interaction(
  t: TenantRun,
  rng: Rng,
  resourceKey: number,
  media: MediaCode,
  type: number,
  start: number,
  options: InteractionOptions = {},
): Generator<Emit> {
  const handled = options.handled ?? rng.chance(0.9);
  const [low, high] = HANDLE_SECONDS[media];
  // Not handled: it rang or was offered for a few seconds and went elsewhere.
  const agentEnd = start + (options.seconds ?? (handled ? rng.int(low, high) : rng.int(4, 25)));
  const queue = options.queue === false ? undefined : queueFor(t, rng, media, type);
  const first = queue === undefined ? start : start - rng.int(5, 180);
  const end = agentEnd > t.snapshot ? null : agentEnd;
  const tenantKey = t.layout.gimTenantKey;
  const mk = mediaKey(media);
  const id = t.next('interaction_fact');
  yield [
    'interaction_fact',
    [id, tenantKey, type, mk, dtKey(first), end === null ? OPEN_END_DATE_TIME_KEY : dtKey(end), first, end],
  ];
  if (queue !== undefined) {
    yield [
      'interaction_resource_fact',
      [t.next('interaction_resource_fact'), id, tenantKey, queue.resourceKey, mk, type, dtKey(first), first, start, 0, 0],
    ];
  }
  yield [
    'interaction_resource_fact',
    [t.next('interaction_resource_fact'), id, tenantKey, resourceKey, mk, type, dtKey(start), start, end,
      handled && media === 'VOICE' ? 1 : 0, handled ? 1 : 0],
  ];
}

export function interactionType(rng: Rng, media: MediaCode, agent: AgentModel): number {
  switch (media) {
    case 'VOICE':
      return at(
        [IT.inboundNew, IT.outboundNew, IT.internal, IT.outboundContact, IT.callback],
        rng.weighted([70, 6, 5, agent.outbound ? 25 : 0, agent.callback ? 10 : 0]),
      );
    case 'EMAIL':
      return at([IT.inboundNew, IT.inboundReply, IT.outboundReply, IT.outboundNew], rng.weighted([55, 20, 20, 5]));
    case 'SMS':
      return rng.chance(0.3) ? IT.outboundNew : IT.inboundNew;
    case 'WORKITEM':
      return IT.inboundNew;
    default:
      return rng.chance(0.1) ? IT.inboundReply : IT.inboundNew;
  }
}
