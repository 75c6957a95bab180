/**
 * One local day of GIM facts: an agent's shift as login spans, its sessions per media and the
 * interactions in them, the health-check bot's hourly calls and the deliberate orphan.
 */
import type { TenantDay } from './days';
import { interaction, interactionType, session, type Span } from './gim-rows';
import { RATE_PER_HOUR, SHIFTS, type AgentModel } from './model';
import { at, Rng, STREAM, streamSeed } from './random';
import { IT, type Emit, type MediaCode } from './tables';
import { orphanResourceKey } from './tenants';
import type { TenantRun } from './tenant-run';

/**
 * The login spans of one shift: sometimes a few-second login glitch before it, then one span,
 * or two around a break (logged out), touching (re-login in the same second) or overlapping
 * (the new login recorded before the old logout).
 */
function shiftSpans(start: number, length: number, rng: Rng): Span[] {
  const spans: Span[] = [];
  if (rng.chance(0.04)) {
    const glitch = start - rng.int(300, 900);
    spans.push([glitch, glitch + rng.int(5, 90)]);
  }
  const end = start + length;
  const pattern = rng.weighted([50, 30, 10, 10]);
  if (pattern === 0) {
    spans.push([start, end]);
    return spans;
  }
  const pause = start + Math.floor(length * (0.4 + 0.2 * rng.next()));
  spans.push([start, pause]);
  const resume = pattern === 1 ? pause + rng.int(900, 2700) : pattern === 2 ? pause : pause - rng.int(60, 600);
  spans.push([resume, Math.max(end, resume + 1800)]);
  return spans;
}

/** A second media's spans: the same shape, logged in a little later and out a little earlier. */
function offsetSpans(spans: readonly Span[], rng: Rng): Span[] {
  const out = spans.map((s): Span => [s[0], s[1]]);
  const first = at(out, 0);
  const later = first[0] + rng.int(0, 180);
  if (later < first[1]) first[0] = later;
  const last = at(out, out.length - 1);
  const earlier = last[1] - rng.int(0, 180);
  if (earlier > last[0]) last[1] = earlier;
  return out;
}

/** One agent's sessions and interactions of one local day. */
export function* agentDay(t: TenantRun, td: TenantDay, agent: AgentModel): Generator<Emit> {
  const { day } = td;
  const rng = new Rng(streamSeed(t.run.seed, STREAM.agentDay, t.layout.gimTenantKey, day.ordinal, agent.serial));
  if (agent.kind === 'healthcheck') {
    if (day.dayOfMonth > 0) yield* healthcheckDay(t, td, agent, rng);
    return;
  }
  // The eve only contributes the night shift that runs into day 1.
  if (day.dayOfMonth === 0 && !(agent.kind === 'agent' && agent.shift === 'night')) return;
  if (agent.lastDay !== undefined && day.dayOfMonth > agent.lastDay) return;
  const stuck = t.stuck !== undefined && t.stuck.serial === agent.serial && t.stuck.day === day.dayOfMonth;
  const works = rng.chance(day.weekend ? agent.weekendRate : agent.weekdayRate);
  if (!works && !stuck) return;
  let spans: Span[];
  if (agent.kind === 'test') {
    const start = at(td.hours, 10) + rng.int(0, 1200);
    spans = [[start, start + rng.int(1800, 3600)]];
  } else {
    const shift = SHIFTS[agent.shift];
    spans = shiftSpans(at(td.hours, shift.startHour) + rng.int(-1800, 1800), shift.seconds + rng.int(-1200, 1200), rng);
  }
  for (const [m, media] of agent.media.entries()) {
    const mediaSpans = m === 0 ? spans : offsetSpans(spans, rng);
    for (const [s, [start, end]] of mediaSpans.entries()) {
      const forcedOpen = stuck && m === 0 && s === mediaSpans.length - 1;
      const window = yield* session(t, agent.resourceKey, media, start, end, forcedOpen);
      if (window === undefined) continue;
      const hours = (window[1] - window[0]) / 3600;
      let count = Math.floor(RATE_PER_HOUR[media] * t.run.scale * hours * (0.5 + rng.next()) + rng.next());
      // A tester always places at least one test call or chat.
      if (agent.kind === 'test') count = Math.max(count, 1);
      for (let k = 0; k < count; k += 1) {
        const when = window[0] + rng.int(0, Math.max(0, window[1] - window[0] - 30));
        yield* interaction(t, rng, agent.resourceKey, media, interactionType(rng, media, agent), when,
          agent.kind === 'test' ? { handled: true } : {});
      }
    }
  }
  if (agent.kind !== 'agent') return;
  // Decoys: a handled interaction well after logout, and one of a media the agent is not
  // logged in to. Neither may make a seat.
  const lastEnd = Math.max(...spans.map((s) => s[1]));
  if (rng.chance(0.02)) {
    const when = lastEnd + rng.int(5400, 9000);
    if (when < t.snapshot) {
      yield* interaction(t, rng, agent.resourceKey, at(agent.media, 0), IT.inboundNew, when, { handled: true, queue: false });
    }
  }
  if (rng.chance(0.01)) {
    const other: MediaCode | undefined = !agent.media.includes('CHAT')
      ? 'CHAT'
      : !agent.media.includes('VOICE')
        ? 'VOICE'
        : undefined;
    const [start, end] = at(spans, spans.length - 1);
    const when = start + rng.int(0, Math.max(0, end - start - 1));
    if (other !== undefined && when < t.snapshot) {
      yield* interaction(t, rng, agent.resourceKey, other, IT.inboundNew, when, { handled: true, queue: false });
    }
  }
}

/** The health-check bot: a short login and one test call every hour, every day. */
function* healthcheckDay(t: TenantRun, td: TenantDay, agent: AgentModel, rng: Rng): Generator<Emit> {
  for (let h = 0; h < 24; h += 1) {
    const start = at(td.hours, h) + 300 + rng.int(0, 30);
    const window = yield* session(t, agent.resourceKey, 'VOICE', start, start + rng.int(150, 240), false);
    if (window !== undefined) {
      yield* interaction(t, rng, agent.resourceKey, 'VOICE', IT.inboundNew, window[0] + 20, {
        handled: true,
        queue: false,
        seconds: 60,
      });
    }
  }
}

/** The deliberate orphan: a session and a handled call of a resource_key resource_ lacks. */
export function* orphanDay(t: TenantRun, td: TenantDay): Generator<Emit> {
  const key = orphanResourceKey(t.layout.gimTenantKey);
  const rng = new Rng(streamSeed(t.run.seed, STREAM.agentDay, t.layout.gimTenantKey, td.day.ordinal, 999_999));
  const start = at(td.hours, 9) + rng.int(0, 600);
  const window = yield* session(t, key, 'VOICE', start, start + 3600, false);
  if (window !== undefined) {
    yield* interaction(t, rng, key, 'VOICE', IT.inboundNew, start + 600, { handled: true, queue: false });
  }
}
