/**
 * The CSV encoding of staged rows: `,` between fields, `\n` after each record, a field quoted only
 * when it holds `,`, `"` or `\n` (a quote doubled inside), NULL and the empty string both empty.
 * A lone `\r` stays bare, as csv-stringify leaves it: the reader takes `\n` as the record
 * delimiter from the header line, so a `\r` inside a field is data.
 *
 * It writes exactly what csv-stringify writes with its defaults for these cell types (a test holds
 * the two equal), so staged files and their recorded digests do not depend on which one wrote
 * them. It exists because csv-stringify's per-record work (option merging, casting, one stream
 * chunk per record) was the largest item of a big extraction's profile: folding and writing 52 k
 * session rows took 355–500 ms with it and 228–236 ms with this (docs/benchmark.md, change 9).
 */
import { StagedRowShapeError } from './errors';
import type { StagedCell } from './staged';

// Characters that make a field need quotes (csv-stringify's defaults: delimiter, quote, record delimiter).
const NEEDS_QUOTES = /[",\n]/;

/** One field: numbers as JavaScript prints them, strings quoted when they must be. */
export function encodeStagedField(cell: StagedCell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return String(cell);
  if (!NEEDS_QUOTES.test(cell)) return cell;
  return `"${cell.replaceAll('"', '""')}"`;
}

/** One record, with its `\n`. */
export function encodeStagedRecord(cells: readonly StagedCell[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i += 1) {
    if (i > 0) line += ',';
    line += encodeStagedField(cells[i] ?? null);
  }
  return line + '\n';
}

/** Size at which a chunk is handed on: gzip pays a fixed cost per write, so few large ones. */
const CHUNK_CHARS = 65536;

/**
 * The header and then every row of `rows`, encoded and gathered into chunks of about 64 KiB.
 * Rows are pulled only as fast as the chunks are taken, so backpressure reaches the source.
 * `onRow` is called before each row is encoded (counting there spares a generator per row).
 */
export async function* stagedCsvChunks(
  columns: readonly string[],
  rows: AsyncIterable<readonly StagedCell[]>,
  onRow: () => void = () => undefined,
): AsyncGenerator<Buffer> {
  let text = encodeStagedRecord(columns);
  for await (const row of rows) {
    // A row of another width would make a file whose rows do not line up with its header.
    if (row.length !== columns.length) throw new StagedRowShapeError(`a row has ${row.length} cells for ${columns.length} columns (${columns.join(',')})`);
    onRow();
    text += encodeStagedRecord(row);
    if (text.length >= CHUNK_CHARS) {
      yield Buffer.from(text, 'utf8');
      text = '';
    }
  }
  if (text.length > 0) yield Buffer.from(text, 'utf8');
}
