/**
 * The per-run state of one tenant (TenantRun): its agents and queues drawn from the model, its
 * clock, the snapshot instant, the stuck session, and its fact-key sequences and counters.
 */
import { ZoneClock } from './days';
import { GenerateOptionsError } from './errors';
import {
  DIGITAL_MEDIA,
  DIGITAL_WEIGHTS,
  FIRST_NAMES,
  LAST_NAMES,
  QUEUE_NAMES,
  type AgentModel,
  type QueueModel,
  type ShiftKind,
} from './model';
import type { RunPlan } from './plan';
import { at, Rng, STREAM, streamSeed } from './random';
import type { MediaCode, TableName } from './tables';
import type { TenantLayout } from './tenants';

const SEQUENCE_LIMIT = 1_000_000_000;

/** Per-run state of one tenant: its model, its clock and its key sequences. */
export class TenantRun {
  readonly clock: ZoneClock;
  readonly agents: readonly AgentModel[];
  readonly queues: readonly QueueModel[];
  /** Epoch second of the snapshot: the tenant-local end of the month. */
  readonly snapshot: number;
  readonly stuck: { readonly serial: number; readonly day: number } | undefined;
  openSessions = 0;
  voicemailBoxes = 0;
  private readonly sequences = new Map<TableName, number>();
  private sessionSerial = 0;

  constructor(
    readonly layout: TenantLayout,
    readonly run: RunPlan,
  ) {
    this.clock = new ZoneClock(layout.timezone);
    const agents: AgentModel[] = [];
    for (let i = 0; i < layout.agents; i += 1) agents.push(this.regularAgent(i));
    agents.push(this.testAgent(0, 'test'), this.testAgent(1, 'healthcheck'));
    this.agents = agents;
    this.queues = QUEUE_NAMES.map((q, k) => ({ ...q, resourceKey: layout.gimTenantKey * 1_000_000 + 950_001 + k }));
    this.snapshot = this.clock.toEpoch(run.year, run.month + 1, 1, 0);
    const candidates = agents.filter(
      (a) => a.kind === 'agent' && a.media[0] === 'VOICE' && a.personState === 'enabled' && a.shift === 'day',
    );
    const rng = new Rng(streamSeed(run.seed, STREAM.tenant, layout.gimTenantKey));
    this.stuck =
      candidates.length === 0
        ? undefined
        : { serial: rng.pick(candidates).serial, day: Math.max(1, run.days.length - 1 - 3) };
  }

  /** The next fact key of `table` (GIM facts by GIM tenant key, GVP rows by Config DB tenant). */
  next(table: TableName): number {
    const seq = (this.sequences.get(table) ?? 0) + 1;
    if (seq >= SEQUENCE_LIMIT) throw new GenerateOptionsError(`too many ${table} rows for tenant ${this.layout.name}`);
    this.sequences.set(table, seq);
    const tenant = table.startsWith('gvp_') ? this.layout.cfgTenantDbid : this.layout.gimTenantKey;
    return tenant * 1e12 + this.run.monthIndex * SEQUENCE_LIMIT + seq;
  }

  /** The next serial of a GVP session id. */
  nextSessionSerial(): number {
    this.sessionSerial += 1;
    return this.sessionSerial;
  }

  private regularAgent(i: number): AgentModel {
    const { layout, run } = this;
    const rng = new Rng(streamSeed(run.seed, STREAM.profile, layout.gimTenantKey, i));
    const firstName = rng.pick(FIRST_NAMES);
    // Agent 7 is a real agent whose name contains "test": only an anchored pattern spares her.
    const lastName = i === 6 ? 'Testa' : rng.pick(LAST_NAMES);
    const shift: ShiftKind = (['day', 'evening', 'night'] as const)[rng.weighted([60, 25, 15])] ?? 'day';
    const voice = rng.chance(0.9);
    const media: MediaCode[] = voice ? ['VOICE'] : [];
    if (!voice || rng.chance(0.45)) {
      const wanted = rng.int(1, 3);
      for (let k = 0; k < wanted; k += 1) {
        const code = at(DIGITAL_MEDIA, rng.weighted(DIGITAL_WEIGHTS));
        if (!media.includes(code)) media.push(code);
      }
    }
    // The first agents cover every digital media, so even a small tenant exercises every metric.
    if (i < DIGITAL_MEDIA.length) {
      const code = at(DIGITAL_MEDIA, i);
      if (!media.includes(code)) media.push(code);
    }
    const outbound = voice && (i === 0 || rng.chance(0.2));
    const callback = voice && (i === 1 || rng.chance(0.15));
    const switches: number[] = [];
    const weights = layout.switches.map((s) => s.share);
    const loginCount = rng.weighted([5, 80, 15]);
    if (weights.length > 0 && loginCount >= 1) {
      const primary = rng.weighted(weights);
      switches.push(primary);
      if (loginCount === 2 && weights.length > 1) {
        const rest = weights.map((w, k) => (k === primary ? 0 : w));
        switches.push(rng.weighted(rest));
      }
    }
    const fate = rng.next();
    const personState = fate < 0.01 ? 'deleted' : fate < 0.03 ? 'disabled' : 'enabled';
    const lastDay = personState === 'enabled' ? undefined : rng.int(5, Math.max(5, run.days.length - 4));
    const userName = `${firstName}.${lastName}${i + 1}@${layout.name}`.toLowerCase();
    return {
      serial: i,
      kind: 'agent',
      resourceKey: layout.gimTenantKey * 1_000_000 + i + 1,
      personDbid: layout.cfgTenantDbid * 1_000_000 + i + 1,
      firstName,
      lastName,
      userName,
      employeeId: `${layout.name.toUpperCase()}-${String(i + 1).padStart(5, '0')}`,
      shift,
      media,
      outbound,
      callback,
      switches,
      staleSwitchName: rng.chance(0.1),
      personState,
      lastDay,
      weekdayRate: 0.9,
      weekendRate: 0.35,
      disabledLogin: rng.chance(0.02),
      loginMailbox: rng.chance(0.1),
      dnMailbox: rng.chance(0.3),
      dnOtherOptions: rng.chance(0.2),
    };
  }

  private testAgent(j: number, kind: 'test' | 'healthcheck'): AgentModel {
    const { layout } = this;
    const userName = kind === 'test' ? `test_agent1@${layout.name}` : `healthcheck.sip@${layout.name}`;
    return {
      serial: 900_000 + j,
      kind,
      resourceKey: layout.gimTenantKey * 1_000_000 + 900_001 + j,
      personDbid: layout.cfgTenantDbid * 1_000_000 + 900_001 + j,
      firstName: kind === 'test' ? 'Test' : 'Health',
      lastName: kind === 'test' ? 'Agent' : 'Check',
      userName,
      employeeId: `${layout.name.toUpperCase()}-T${j + 1}`,
      shift: 'day',
      media: kind === 'test' ? ['VOICE', 'CHAT'] : ['VOICE'],
      outbound: false,
      callback: false,
      switches: layout.switches.length > 0 ? [0] : [],
      staleSwitchName: false,
      personState: 'enabled',
      lastDay: undefined,
      weekdayRate: 1,
      weekendRate: 0,
      disabledLogin: false,
      loginMailbox: false,
      dnMailbox: false,
      dnOtherOptions: false,
    };
  }
}
