/**
 * The oracle: every billing file a world must produce, with every value, worked out from the
 * specification alone (metrics.md, billing-files.md, docs/billing-rules.md). It imports nothing
 * from lib/.
 */
import { dayBounds, datesBetween, lastDayOfMonth, monthOf, nextMonth, type DayBounds, type LocalDate } from './calendar';
import { gvpDatabaseOf, gvpDay } from './gvp-oracle';
import { isGlobal, measuresOf, metricDefinition, withOverride, type Measure, type MetricDefinition } from './metric-definitions';
import { seatDay } from './seats-oracle';
import { mailboxCount } from './voicemail-oracle';
import type { TenantConfig, World } from './world';

/** One billing file the pipeline must write, and what it must say. */
export interface ExpectedFile {
  /** Path under `<dataDir>/billing/`. */
  readonly path: string;
  readonly tenant: string;
  readonly region: string;
  readonly metric: string;
  readonly periodType: 'daily' | 'monthly';
  /** `YYYY-MM-DD` or `YYYY-MM`, as in the file's `period` column. */
  readonly period: string;
  /** The period's UTC bounds in epoch seconds (`period_start`, `period_end`). */
  readonly start: number;
  readonly end: number;
  readonly values: ReadonlyMap<Measure, number>;
}

/** The customer reference the config writer puts in every configuration. */
export const GARN = 'GARN0042';
export const CUSTOMER = 'Oracle Test Corp';

/** billing-files.md: `<tenant>/<YYYY>/<MM>/CNT_<REGION>_PES_<METRIC>_<GARN>_<TENANT>_<PERIOD>.csv`. */
export function billingPath(tenant: string, region: string, metric: string, period: string): string {
  const code = period.length === 10 ? `D${period.replaceAll('-', '')}` : `M${period.replace('-', '')}`;
  return `${tenant}/${period.slice(0, 4)}/${period.slice(5, 7)}/CNT_${region}_PES_${metric}_${GARN}_${tenant}_${code}.csv`;
}

/** The days a backfill of the world processes for the tenant: none before its production date. */
export function processedDays(world: World, tenant: TenantConfig): LocalDate[] {
  const from = tenant.productionDate > world.from ? tenant.productionDate : world.from;
  return datesBetween(from, world.to);
}

/** One region's (or GLOBAL's) daily numbers for one metric: the value of each measure, and the agents. */
interface DailyValue {
  readonly values: Map<Measure, number>;
  readonly agents: ReadonlySet<number>;
}

/** region → that region's day, for one tenant, metric and day. */
function dailyValues(world: World, tenant: TenantConfig, definition: MetricDefinition, day: DayBounds): Map<string, DailyValue> {
  const out = new Map<string, DailyValue>();
  switch (definition.family) {
    case 'seats': {
      const seat = withOverride(definition, world.catalogue[definition.key]);
      for (const [region, value] of seatDay(world, tenant, seat, day)) {
        out.set(region, {
          values: new Map<Measure, number>([
            ['concurrent', value.concurrent],
            ['enabled', value.enabled.size],
          ]),
          agents: value.enabled,
        });
      }
      break;
    }
    case 'gvp':
      for (const region of tenant.regions) {
        const value = gvpDay(world.gvp[gvpDatabaseOf(region)], tenant, definition, day);
        out.set(region.code, { values: new Map([[definition.measure, value]]), agents: new Set() });
      }
      break;
    case 'voicemail':
      out.set('GLOBAL', { values: new Map([['count', mailboxCount(world, tenant)]]), agents: new Set() });
      break;
  }
  return out;
}

/** Every billing file of the world: each processed day, and each month whose last day was processed. */
export function expectedFiles(world: World): ExpectedFile[] {
  const files: ExpectedFile[] = [];
  for (const tenant of world.tenants) {
    const days = processedDays(world, tenant).map((date) => dayBounds(date, tenant.timezone));
    for (const key of tenant.metrics) {
      const definition = metricDefinition(key);
      const perDay = days.map((day) => ({ day, regions: dailyValues(world, tenant, definition, day) }));
      const regions = isGlobal(definition) ? ['GLOBAL'] : tenant.regions.map((r) => r.code);
      for (const { day, regions: values } of perDay) {
        for (const region of regions) {
          files.push({
            path: billingPath(tenant.id, region, key, day.date),
            tenant: tenant.id,
            region,
            metric: key,
            periodType: 'daily',
            period: day.date,
            start: day.start,
            end: day.end,
            values: values.get(region)?.values ?? new Map(),
          });
        }
      }
      const measures = measuresOf(definition);
      if (measures.every((m) => m.rollup === 'none')) continue;
      for (const { day } of perDay) {
        if (day.date !== lastDayOfMonth(day.date)) continue;
        const month = monthOf(day.date);
        // Days before the production date do not exist: the month is the processed days in it.
        const monthDays = perDay.filter((d) => monthOf(d.day.date) === month);
        for (const region of regions) {
          const values = new Map<Measure, number>();
          for (const { measure, rollup } of measures) {
            const daily = monthDays.map((d) => d.regions.get(region));
            const numbers = daily.map((v) => v?.values.get(measure) ?? 0);
            if (rollup === 'max') values.set(measure, Math.max(0, ...numbers));
            else if (rollup === 'sum') values.set(measure, numbers.reduce((a, b) => a + b, 0));
            else if (rollup === 'distinct') values.set(measure, new Set(daily.flatMap((v) => [...(v?.agents ?? [])])).size);
          }
          files.push({
            path: billingPath(tenant.id, region, key, month),
            tenant: tenant.id,
            region,
            metric: key,
            periodType: 'monthly',
            period: month,
            // "Monthly files carry the calendar month's bounds."
            start: dayBounds(`${month}-01`, tenant.timezone).start,
            end: dayBounds(`${nextMonth(month)}-01`, tenant.timezone).start,
            values,
          });
        }
      }
    }
  }
  return files;
}
