/**
 * generateActivity: a month of activity for the given tenants as chunks of rows per table, with
 * the per-table buffers (RowBuffers) that cut the row producers' output into chunks.
 */
import { agentDay, orphanDay } from './agent-day';
import { configRows, environmentRows } from './config-rows';
import { tenantDay } from './days';
import { dimensionRows } from './gim-rows';
import { gvpDay } from './gvp-rows';
import { plan, type GenerateOptions } from './plan';
import { TABLE_COLUMNS, TABLE_NAMES, type Cell, type Emit, type TableName, type TableRows } from './tables';
import { TenantRun } from './tenant-run';

/** What the generator knows once it has finished, beyond the rows themselves. */
export interface GenerateNotes {
  /** Voicemail boxes per tenant name, as a correct count of the Config DB snapshot finds them. */
  readonly voicemailBoxes: Readonly<Record<string, number>>;
  /** Sessions left open per tenant name. */
  readonly openSessions: Readonly<Record<string, number>>;
}

/** Per-table row buffers, handed out in chunks of at most `chunkRows` rows. */
class RowBuffers {
  private readonly buffers = new Map<TableName, Cell[][]>();

  constructor(private readonly chunkRows: number) {
    // Pre-seeded in load order, so chunks come out dimension tables first.
    for (const table of TABLE_NAMES) this.buffers.set(table, []);
  }

  push([table, row]: Emit): void {
    this.buffers.get(table)?.push(row);
  }

  /** Full chunks only; the remainder waits for more rows. */
  *full(day: string | null): Generator<TableRows> {
    for (const [table, rows] of this.buffers) {
      while (rows.length >= this.chunkRows) yield this.chunk(table, rows.splice(0, this.chunkRows), day);
    }
  }

  /** Everything buffered. */
  *rest(day: string | null): Generator<TableRows> {
    for (const [table, rows] of this.buffers) {
      while (rows.length > 0) yield this.chunk(table, rows.splice(0, this.chunkRows), day);
    }
  }

  private chunk(table: TableName, rows: Cell[][], day: string | null): TableRows {
    return { table, columns: TABLE_COLUMNS[table], rows, day };
  }
}

/**
 * Generates a month of activity for the given tenants, as chunks of rows per table: first the
 * GIM dimensions and the Config DB snapshot, then each day (the eve first) with every tenant's
 * sessions, interactions and GVP records of that tenant-local day. Memory stays bounded by the
 * chunk size and the agent models, whatever the month's volume.
 *
 * @returns an async generator whose return value carries the expected voicemail-box count and
 *   the number of open sessions per tenant.
 * @throws GenerateOptionsError when the options are unusable.
 */
// eslint-disable-next-line @typescript-eslint/require-await -- async is the contract (callers `for await` it, sinks await between chunks); nothing inside awaits yet.
export async function* generateActivity(options: GenerateOptions): AsyncGenerator<TableRows, GenerateNotes, undefined> {
  const run = plan(options);
  const tenants = options.tenants.map((layout) => new TenantRun(layout, run));
  const buffers = new RowBuffers(run.chunkRows);
  const { include } = run;
  if (include.has('gim-dimensions')) {
    for (const emit of dimensionRows(tenants)) {
      buffers.push(emit);
      yield* buffers.full(null);
    }
  }
  if (include.has('config')) for (const emit of environmentRows()) buffers.push(emit);
  for (const t of tenants) {
    // Walked even when not wanted, so the voicemail count never depends on `include`.
    for (const emit of configRows(t)) {
      if (!include.has('config')) continue;
      buffers.push(emit);
      yield* buffers.full(null);
    }
  }
  yield* buffers.rest(null);
  const facts = include.has('gim-facts');
  const gvp = include.has('gvp');
  if (facts || gvp) {
    for (const day of run.days) {
      for (const t of tenants) {
        const td = tenantDay(t.clock, day);
        if (facts) {
          for (const agent of t.agents) {
            for (const emit of agentDay(t, td, agent)) buffers.push(emit);
            yield* buffers.full(day.date);
          }
          if (day.dayOfMonth === 1) for (const emit of orphanDay(t, td)) buffers.push(emit);
        }
        if (gvp) {
          for (const emit of gvpDay(t, td)) {
            buffers.push(emit);
            yield* buffers.full(day.date);
          }
        }
      }
      yield* buffers.rest(day.date);
    }
  }
  return {
    voicemailBoxes: Object.fromEntries(tenants.map((t) => [t.layout.name, t.voicemailBoxes])),
    openSessions: Object.fromEntries(tenants.map((t) => [t.layout.name, t.openSessions])),
  };
}
