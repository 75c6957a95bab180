/**
 * GVP rows: one tenant's IVR calls of a local day, each as MCP, RM and CCP records and the ASR
 * and TTS sessions it used.
 */
import { SECONDS_PER_DAY } from '../../../lib/time/civil';
import { gvpTimestamp, type TenantDay } from './days';
import { CALL_HOUR_WEIGHTS } from './model';
import { at, Rng, STREAM, streamSeed } from './random';
import { GVP_COMPONENTS, type Emit } from './tables';
import type { TenantRun } from './tenant-run';

/** A GVP session id: UUID-shaped, unique by tenant, month and serial. */
function gvpSessionId(t: TenantRun, rng: Rng): string {
  const hex = (value: number, width: number): string => value.toString(16).toUpperCase().padStart(width, '0');
  const serial = t.nextSessionSerial();
  const random = hex(rng.int(0, 0xffffffff), 8);
  return `${random}-${hex(t.layout.cfgTenantDbid, 4)}-${hex(t.run.monthIndex, 4)}-${hex(rng.int(0, 0xffff), 4)}-${hex(serial, 12)}`;
}

function* mediaSession(t: TenantRun, kind: 'ASR' | 'TTS', sessionId: string, startMs: number, endMs: number): Generator<Emit> {
  const snapshotMs = t.snapshot * 1000;
  if (startMs >= snapshotMs) return;
  yield [
    'gvp_media_resource_session',
    [t.next('gvp_media_resource_session'), kind === 'ASR' ? GVP_COMPONENTS.asr : GVP_COMPONENTS.tts, sessionId, kind,
      t.layout.cfgTenantDbid, gvpTimestamp(startMs), endMs > snapshotMs ? null : gvpTimestamp(endMs)],
  ];
}

/** One IVR call: its MCP, RM (and sometimes CCP) records and the ASR / TTS it used. */
function* gvpCall(t: TenantRun, rng: Rng, startMs: number, plannedEndMs: number): Generator<Emit> {
  const snapshotMs = t.snapshot * 1000;
  if (startMs >= snapshotMs) return;
  const tenant = t.layout.cfgTenantDbid;
  const sessionId = gvpSessionId(t, rng);
  const appId = tenant * 10 + rng.int(1, 3);
  const dn = `+1800${String(tenant).padStart(4, '0')}${String(rng.int(0, 2)).padStart(3, '0')}`;
  // Every component's record of the call shares its session id; a record still running at the
  // snapshot has no end.
  const cdr = (component: 'MCP' | 'RM' | 'CCP', compId: number, fromMs: number, toMs: number): Emit => [
    'gvp_cdr',
    [t.next('gvp_cdr'), component, compId, sessionId, tenant, appId, dn, gvpTimestamp(fromMs),
      toMs > snapshotMs ? null : gvpTimestamp(toMs)],
  ];
  const rmStart = startMs - rng.int(50, 800);
  const rm = rng.pick(GVP_COMPONENTS.rm);
  if (rng.chance(0.01)) {
    // Rejected by the Resource Manager: an RM record and no MCP call.
    yield cdr('RM', rm, rmStart, rmStart + rng.int(500, 3000));
    return;
  }
  yield cdr('MCP', rng.pick(GVP_COMPONENTS.mcp), startMs, plannedEndMs);
  yield cdr('RM', rm, rmStart, plannedEndMs + rng.int(50, 500));
  if (rng.chance(0.08)) {
    yield cdr('CCP', at(GVP_COMPONENTS.ccp, 0), startMs + rng.int(20, 200), plannedEndMs + rng.int(0, 200));
  }
  const tts = rng.chance(0.55);
  const asr = rng.chance(0.35);
  if (!tts && !asr) return;
  let cursor = startMs + rng.int(300, 3000);
  const turns = rng.int(1, 3);
  for (let k = 0; k < turns && cursor < plannedEndMs; k += 1) {
    let turnEnd = cursor;
    if (tts) {
      turnEnd = Math.min(cursor + rng.int(2000, 25_000), plannedEndMs);
      yield* mediaSession(t, 'TTS', sessionId, cursor, turnEnd);
    }
    if (asr) {
      // Barge-in: recognition may start while the prompt still plays, so ASR and TTS overlap.
      const start = tts && rng.chance(0.5) ? cursor + Math.floor((turnEnd - cursor) * rng.next()) : turnEnd;
      const end = Math.min(start + rng.int(1500, 12_000), plannedEndMs);
      if (start < end) {
        yield* mediaSession(t, 'ASR', sessionId, start, end);
        turnEnd = Math.max(turnEnd, end);
      }
    }
    cursor = turnEnd + rng.int(2000, 20_000);
  }
}

/** IVR calls per agent and working day at scale 1. */
const CALLS_PER_AGENT = 1.5;

/** One tenant's IVR traffic of one local day, with calls across local and UTC midnight. */
export function* gvpDay(t: TenantRun, td: TenantDay): Generator<Emit> {
  const { day } = td;
  if (day.dayOfMonth === 0) return;
  const rng = new Rng(streamSeed(t.run.seed, STREAM.gvp, t.layout.cfgTenantDbid, day.ordinal));
  const volume = t.layout.agents * CALLS_PER_AGENT * t.run.scale * (day.weekend ? 0.5 : 1);
  const calls = Math.round(volume * (0.85 + 0.3 * rng.next()));
  for (let i = 0; i < calls; i += 1) {
    const start = (at(td.hours, rng.weighted(CALL_HOUR_WEIGHTS)) + rng.int(0, 3599)) * 1000 + rng.int(0, 999);
    // Mostly short calls, with a long tail (exponential, capped at an hour).
    const length = Math.min(3_600_000, 15_000 + Math.round(-Math.log(1 - rng.next()) * 150_000));
    yield* gvpCall(t, rng, start, start + length);
  }
  // On the month's last day these two are still running at the snapshot: call_end NULL.
  for (let k = 0; k < 2; k += 1) {
    const start = td.end * 1000 - rng.int(30_000, 600_000);
    yield* gvpCall(t, rng, start, start + rng.int(900_000, 1_800_000));
  }
  // The UTC midnights that fall inside the local day (ms).
  for (const utc of [day.ordinal * SECONDS_PER_DAY * 1000, (day.ordinal + 1) * SECONDS_PER_DAY * 1000]) {
    if (utc > td.start * 1000 && utc < td.end * 1000) {
      const start = utc - rng.int(30_000, 600_000);
      yield* gvpCall(t, rng, start, start + rng.int(900_000, 1_800_000));
    }
  }
}
