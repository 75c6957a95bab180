/**
 * The options of a run (GenerateOptions), their validation, and the resolved plan (RunPlan): the
 * month, its days (the eve first), scale, chunk size and the parts to produce.
 */
import { daysInMonth } from '../../../lib/time/civil';
import { dayInfo, type DayInfo } from './days';
import { GenerateOptionsError } from './errors';
import type { TenantLayout } from './tenants';

/** The parts of the data `generateActivity` produces. */
export type GeneratePart = 'gim-dimensions' | 'config' | 'gim-facts' | 'gvp';

export interface GenerateOptions {
  /** Any safe integer; the same seed gives the same rows. */
  readonly seed: number;
  /** The calendar month, `YYYY-MM` (2000-01 … 2079-12). */
  readonly month: string;
  readonly tenants: readonly TenantLayout[];
  /**
   * Multiplies interaction and IVR-call volume (default 1: about 10 interactions and 1.5 IVR
   * calls per agent and working day). `bds seed` at 20,000 agents uses about 2 to reach
   * ~25 M interaction rows a month. Sessions do not scale: they follow the agents.
   */
  readonly scale?: number;
  /** Rows per yielded chunk (default 1000). */
  readonly chunkRows?: number;
  /** Which parts to produce (default all). */
  readonly include?: readonly GeneratePart[];
}

const MAX_AGENTS = 100_000;
const MAX_TENANT_ID = 2000;

export interface RunPlan {
  readonly seed: number;
  readonly year: number;
  /** 1…12 */
  readonly month: number;
  readonly monthIndex: number;
  readonly scale: number;
  readonly chunkRows: number;
  readonly include: ReadonlySet<GeneratePart>;
  /** The eve first, then every day of the month. */
  readonly days: readonly DayInfo[];
}

const ALL_PARTS: readonly GeneratePart[] = ['gim-dimensions', 'config', 'gim-facts', 'gvp'];

function positiveInteger(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= max;
}

/** Validates the options and resolves defaults. */
export function plan(options: GenerateOptions): RunPlan {
  if (!Number.isSafeInteger(options.seed)) throw new GenerateOptionsError(`seed must be a safe integer, got ${options.seed}`);
  const match = /^(\d{4})-(\d{2})$/.exec(options.month);
  const year = Number(match?.[1]);
  const month = Number(match?.[2]);
  if (match === null || year < 2000 || year > 2079 || month < 1 || month > 12) {
    throw new GenerateOptionsError(`month must be YYYY-MM between 2000-01 and 2079-12, got "${options.month}"`);
  }
  const scale = options.scale ?? 1;
  if (!(Number.isFinite(scale) && scale > 0 && scale <= 100)) {
    throw new GenerateOptionsError(`scale must be in (0, 100], got ${scale}`);
  }
  const chunkRows = options.chunkRows ?? 1000;
  if (!positiveInteger(chunkRows, 1_000_000)) {
    throw new GenerateOptionsError(`chunkRows must be a positive integer, got ${chunkRows}`);
  }
  const include = new Set(options.include ?? ALL_PARTS);
  for (const part of include) {
    if (!ALL_PARTS.includes(part)) throw new GenerateOptionsError(`unknown part "${part}"`);
  }
  const seen = { name: new Set<string>(), gim: new Set<number>(), cfg: new Set<number>() };
  for (const t of options.tenants) {
    if (!/^[a-z][a-z0-9_-]*$/i.test(t.name)) throw new GenerateOptionsError(`tenant name "${t.name}" must be a simple identifier`);
    if (!positiveInteger(t.gimTenantKey, MAX_TENANT_ID)) {
      throw new GenerateOptionsError(`tenant ${t.name}: gimTenantKey must be an integer in 1..${MAX_TENANT_ID}`);
    }
    // DBID 1 is the Environment tenant the generator writes itself.
    if (!positiveInteger(t.cfgTenantDbid, MAX_TENANT_ID) || t.cfgTenantDbid === 1) {
      throw new GenerateOptionsError(`tenant ${t.name}: cfgTenantDbid must be an integer in 2..${MAX_TENANT_ID}`);
    }
    if (!Number.isInteger(t.agents) || t.agents < 0 || t.agents > MAX_AGENTS) {
      throw new GenerateOptionsError(`tenant ${t.name}: agents must be an integer in 0..${MAX_AGENTS}`);
    }
    if (t.switches.length > 99) throw new GenerateOptionsError(`tenant ${t.name}: at most 99 switches`);
    if (t.switches.some((s) => !(Number.isFinite(s.share) && s.share > 0) || s.name.trim() === '')) {
      throw new GenerateOptionsError(`tenant ${t.name}: every switch needs a name and a positive share`);
    }
    if (new Set(t.switches.map((s) => s.name)).size !== t.switches.length) {
      throw new GenerateOptionsError(`tenant ${t.name}: duplicate switch names`);
    }
    if (seen.name.has(t.name) || seen.gim.has(t.gimTenantKey) || seen.cfg.has(t.cfgTenantDbid)) {
      throw new GenerateOptionsError(`tenant ${t.name}: name, gimTenantKey and cfgTenantDbid must be unique`);
    }
    seen.name.add(t.name);
    seen.gim.add(t.gimTenantKey);
    seen.cfg.add(t.cfgTenantDbid);
  }
  const days: DayInfo[] = [dayInfo(year, month, 0, 0)];
  for (let d = 1; d <= daysInMonth(year, month); d += 1) days.push(dayInfo(year, month, d, d));
  return {
    seed: options.seed,
    year,
    month,
    monthIndex: (year - 2000) * 12 + month - 1,
    scale,
    chunkRows,
    include,
    days,
  };
}
