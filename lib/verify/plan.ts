/**
 * What a verification of some days computes: the days asked for and, for every month whose last
 * day is among them, the whole month (its monthly files roll up every billable day of it). Work
 * is grouped by month, so that one query per source and month computes the daily values and the
 * month's rollup together. Pure; unit-tested in test/unit/verify-plan.test.ts.
 */
import type { LocalDate, TenantConfig } from '../config/types';
import { compareDates, eachDay, firstDayOfMonth, isLastDayOfMonth, lastDayOfMonth, monthOf } from '../time/calendar';

export interface MonthWork {
  /** `YYYY-MM`. */
  readonly month: string;
  /** The days the queries compute, oldest first: the asked days of the month, or all its billable days when `monthly`. */
  readonly days: readonly LocalDate[];
  /** The days whose daily files are compared (the asked ones), oldest first. */
  readonly dailyCompared: readonly LocalDate[];
  /** Whether the month's last day was asked for: its monthly files are compared too. */
  readonly monthly: boolean;
}

/**
 * Groups the asked days (any order, duplicates allowed) by month. Days before the tenant's
 * production date do not exist for billing and are dropped, also from a month's rollup.
 */
export function planMonths(tenant: TenantConfig, dates: readonly LocalDate[]): MonthWork[] {
  const asked = [...new Set(dates)].filter((d) => compareDates(d, tenant.productionDate) >= 0).sort(compareDates);
  const byMonth = new Map<string, LocalDate[]>();
  for (const date of asked) {
    const list = byMonth.get(monthOf(date)) ?? [];
    list.push(date);
    byMonth.set(monthOf(date), list);
  }
  return [...byMonth].map(([month, days]) => {
    const monthly = days.some(isLastDayOfMonth);
    if (!monthly) return { month, days, dailyCompared: days, monthly };
    const first = firstDayOfMonth(days[0] as LocalDate);
    const from = compareDates(first, tenant.productionDate) < 0 ? tenant.productionDate : first;
    return { month, days: eachDay(from, lastDayOfMonth(first)), dailyCompared: days, monthly };
  });
}
