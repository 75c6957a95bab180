/**
 * What the generated worlds actually contained, counted after the fact: a random generator that
 * never produced a touching session or a whitespace-only mailbox would pass while testing
 * nothing, so the test prints these totals and a reader can see the edges were exercised.
 */
import { dayBounds } from './calendar';
import { isNonBlank } from './voicemail-oracle';
import { processedDays, type ExpectedFile } from './oracle';
import type { World } from './world';

/** Feature name → how many times it occurs in `world`; `files` are the oracle's files for it. */
export function worldFeatures(world: World, files: readonly ExpectedFile[]): Map<string, number> {
  const out = new Map<string, number>();
  const add = (name: string, n = 1): void => {
    if (n > 0) out.set(name, (out.get(name) ?? 0) + n);
  };
  add('tenants', world.tenants.length);
  if (world.batches.length > 1) add('worlds processed by two backfills');
  const boundaries: number[] = [];
  for (const tenant of world.tenants) {
    for (const date of processedDays(world, tenant)) {
      const day = dayBounds(date, tenant.timezone);
      boundaries.push(day.start, day.end);
      add('processed days');
      if (day.end - day.start !== 86_400) add('processed days of DST length');
      if (day.end === day.start) add('processed days that do not exist (length 0)');
      if (date.endsWith('-02-29')) add('processed 29 Februaries');
    }
    const listed = tenant.regions.flatMap((r) => r.locations.flatMap((l) => l.switches));
    add('switches listed by two locations', listed.length - new Set(listed).size);
    if (tenant.regions.length > 1) add('tenants with several regions');
  }
  const sessions = world.gim.sessions;
  add('open sessions', sessions.filter((s) => s.end === null).length);
  add('sessions from before 1970', sessions.filter((s) => s.start < 0).length);
  add('empty or negative sessions', sessions.filter((s) => s.end !== null && s.end <= s.start).length);
  add('touching sessions', sessions.filter((s) => sessions.some((o) => o !== s && o.resourceKey === s.resourceKey && o.end === s.start)).length);
  const crossing = sessions.filter((s) => boundaries.some((b) => s.start < b && (s.end ?? Infinity) > b));
  add('sessions across a day start', crossing.length);
  for (const i of world.gim.interactions) {
    if (i.handled <= 0) continue;
    const own = sessions.filter((s) => s.resourceKey === i.resourceKey && s.tenantKey === i.tenantKey);
    add('handled interactions at a session start', own.filter((s) => i.start === s.start).length);
    add('handled interactions at a session end', own.filter((s) => i.start === s.end).length);
    add('handled interactions 1 s before a session', own.filter((s) => i.start === s.start - 1).length);
    const inside = crossing.filter((s) => own.includes(s) && i.start >= s.start && i.start < (s.end ?? Infinity));
    add('handled interactions inside a session across a day start', inside.length);
  }
  for (const option of world.cfg.flexProps) {
    if (option.parentDbid === 0 || option.name !== 'gvm_mailbox') continue;
    if (!isNonBlank(option.value) && /[\t\r\n]/.test(option.value ?? '')) add('mailbox values of only blanks with tabs / line breaks');
    if (isNonBlank(option.value)) add('non-blank mailbox options');
  }
  for (const rows of Object.values(world.gvp)) {
    const facts = [...rows.calls, ...rows.mediaSessions];
    add('open GVP facts', facts.filter((f) => f.endMs === null).length);
    add('GVP facts with fractional seconds', facts.filter((f) => f.startMs % 1000 !== 0 || (f.endMs ?? 0) % 1000 !== 0).length);
  }
  add('monthly files', files.filter((f) => f.periodType === 'monthly').length);
  add('non-zero values', files.reduce((n, f) => n + [...f.values.values()].filter((v) => v > 0).length, 0));
  add('values', files.reduce((n, f) => n + f.values.size, 0));
  return out;
}
