/**
 * Compares what the pipeline wrote with what the oracle expects, value by value, and lists
 * every difference (not only the first), so that one failing world shows its whole story.
 */
import type { BillingCsv } from './billing-reader';
import { CODE_COLUMNS, publishedCodes, type Measure } from './metric-definitions';
import { CUSTOMER, GARN, type ExpectedFile } from './oracle';

/** One difference between the files and the oracle. */
export interface Mismatch {
  readonly tenant: string;
  readonly region: string;
  readonly metric: string;
  readonly period: string;
  readonly measure: string;
  readonly expected: string;
  readonly actual: string;
}

/** billing-files.md, "Content". */
export const COLUMNS = [
  'garn', 'customer', 'tenant', 'region', 'metric', 'measure', 'period_type', 'period', 'period_start', 'period_end',
  'timezone', 'channel_type', 'service_class', 'activity_type', 'status', 'agent_group_name', 'message_size',
] as const;

const instant = (iso: string | undefined): string => {
  const ms = Date.parse(iso ?? '');
  return Number.isNaN(ms) ? `unparsable ${JSON.stringify(iso)}` : new Date(ms).toISOString();
};

/** Every difference between `expected` files and the `actual` billing folder (`other`: its non-CSV files). */
export function compareFiles(
  expected: readonly ExpectedFile[],
  actual: ReadonlyMap<string, BillingCsv>,
  other: readonly string[],
  zoneOf: (tenant: string) => string,
): Mismatch[] {
  const out: Mismatch[] = [];
  const expectedPaths = new Set(expected.map((f) => f.path));
  for (const file of expected) {
    const at = (measure: string, want: string, got: string): void => {
      out.push({ tenant: file.tenant, region: file.region, metric: file.metric, period: file.period, measure, expected: want, actual: got });
    };
    const csv = actual.get(file.path);
    if (csv === undefined) {
      at('(file)', file.path, 'missing');
      continue;
    }
    if (csv.header.join(',') !== COLUMNS.join(',')) at('(header)', COLUMNS.join(','), csv.header.join(','));
    const seen = new Set<string>();
    for (const row of csv.rows) {
      const measure = row.measure ?? '';
      if (seen.has(measure)) at(measure, 'one row', 'a second row');
      seen.add(measure);
      const want = file.values.get(measure as Measure);
      if (want === undefined) {
        at(measure, 'no such row', `row with ${row.message_size}`);
        continue;
      }
      if (row.message_size !== String(want)) at(measure, String(want), row.message_size ?? '');
      const identity = [GARN, CUSTOMER, file.tenant, file.region, file.metric, file.periodType, file.period, zoneOf(file.tenant)].join(' ');
      const written = [row.garn, row.customer, row.tenant, row.region, row.metric, row.period_type, row.period, row.timezone].join(' ');
      if (written !== identity) at(`${measure} (columns)`, identity, written);
      const codes = publishedCodes(file.metric, measure as Measure);
      const wantCodes = CODE_COLUMNS.map((c) => codes[c]).join('/');
      const writtenCodes = CODE_COLUMNS.map((c) => row[c] ?? '').join('/');
      if (writtenCodes !== wantCodes) at(`${measure} (codes)`, wantCodes, writtenCodes);
      const bounds = `${new Date(file.start * 1000).toISOString()} ${new Date(file.end * 1000).toISOString()}`;
      const writtenBounds = `${instant(row.period_start)} ${instant(row.period_end)}`;
      if (writtenBounds !== bounds) at(`${measure} (bounds)`, bounds, `${writtenBounds} (${row.period_start} ${row.period_end})`);
    }
    for (const measure of file.values.keys()) if (!seen.has(measure)) at(measure, String(file.values.get(measure)), 'no row');
  }
  // A file the oracle does not expect: only the checksums of expected files and manifests may be there.
  const unexpected = (path: string, measure: string, expected: string, actual: string): void => {
    out.push({ tenant: path.split('/')[0] ?? '', region: '', metric: '', period: '', measure, expected, actual });
  };
  for (const path of actual.keys()) if (!expectedPaths.has(path)) unexpected(path, '(file)', 'no file', path);
  for (const path of other) {
    const sidecar = path.endsWith('.csv.sha256') && expectedPaths.has(path.slice(0, -'.sha256'.length));
    const manifest = /(^|\/)manifest_[^/]+\.json$/.test(path);
    if (!sidecar && !manifest) unexpected(path, '(file)', 'no file', path);
  }
  for (const path of expectedPaths) {
    if (actual.has(path) && !other.includes(`${path}.sha256`)) unexpected(path, '(checksum)', `${path}.sha256`, 'missing');
  }
  return out;
}

/** The mismatches as an aligned table, one line each. */
export function formatMismatches(mismatches: readonly Mismatch[]): string {
  const rows = [
    ['tenant', 'region', 'metric', 'period', 'measure', 'expected', 'actual'],
    ...mismatches.map((m) => [m.tenant, m.region, m.metric, m.period, m.measure, m.expected, m.actual]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}
