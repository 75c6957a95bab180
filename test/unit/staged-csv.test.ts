/**
 * The staged CSV encoder must write byte for byte what csv-stringify writes with its defaults
 * (what staged files were written with before, and what their recorded digests cover).
 */
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import type { StagedCell } from '../../lib/staging/staged';
import { StagedRowShapeError } from '../../lib/staging/errors';
import { encodeStagedRecord, stagedCsvChunks } from '../../lib/staging/staged-csv';
import { seededRandom } from '../helpers/random';
import { asyncOf } from '../helpers/suite';

/** What csv-stringify writes for these records, header first, as the staged writer configured it. */
function reference(columns: readonly string[], rows: readonly (readonly StagedCell[])[]): string {
  return stringify(
    rows.map((r) => [...r]),
    { header: true, columns: [...columns], record_delimiter: '\n' },
  );
}

const ALPHABET = ['a', 'Z', '0', ' ', ',', '"', '\n', '\r', ';', "'", '=', '-', '\t', 'é', '€', '😀', '\u0000'];

function randomCell(next: () => number): StagedCell {
  const kind = next();
  if (kind < 0.15) return null;
  if (kind < 0.35) return Math.floor((next() - 0.5) * 2 ** 40);
  if (kind < 0.4) return (next() - 0.5) * 1000;
  const length = Math.floor(next() * 8);
  let text = '';
  for (let i = 0; i < length; i += 1) text += ALPHABET[Math.floor(next() * ALPHABET.length)] ?? '';
  return text;
}

async function collectText(chunks: AsyncIterable<Buffer>): Promise<{ text: string; sizes: number[] }> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return { text: Buffer.concat(parts).toString('utf8'), sizes: parts.map((p) => p.length) };
}

function fromArray<T>(items: readonly T[]): AsyncIterable<T> {
  return asyncOf(items);
}

describe('staged CSV encoding', () => {
  it.each<[string, StagedCell[]]>([
    ['NULL and empty strings as empty fields', [null, '', 'x']],
    ['numbers as JavaScript prints them', [0, -5, 1793419200, 1.5, -0.25]],
    ['a comma, a quote and a line feed quoted, quotes doubled', ['a,b', 'say "hi"', 'two\nlines', '"']],
    ['a lone carriage return left bare, as csv-stringify leaves it', ['cr\rhere', '\r\n']],
    ['spaces, tabs and formula-like text left bare', [' lead', 'trail ', '\tx', '=1+1', '-2', '@a']],
    ['a JSON array of handled pairs', ['[["VOICE","INBOUNDNEW"],["CHAT",null]]']],
  ])('writes %s like csv-stringify', (_what, cells) => {
    // Prepare
    const columns = cells.map((_, i) => `c${i}`);

    // Act
    const line = encodeStagedRecord(cells);

    // Assess
    expect(line).toBe(reference(columns, [cells]).slice(`${columns.join(',')}\n`.length));
  });

  it('writes 2,000 random records exactly like csv-stringify', () => {
    // Prepare
    const { next } = seededRandom(20261126);
    const rows = Array.from({ length: 2000 }, () => Array.from({ length: 1 + Math.floor(next() * 6) }, () => randomCell(next)));

    // Act
    const mine = rows.map((cells) => encodeStagedRecord(cells));

    // Assess: compared record by record, with the staged writer's options, so a failure shows
    // the one record that differs.
    rows.forEach((cells, i) => {
      const columns = cells.map((_, c) => `c${c}`);
      expect(mine[i], JSON.stringify(cells)).toBe(reference(columns, [cells]).slice(`${columns.join(',')}\n`.length));
    });
  });

  it('streams the header and the rows in whole records of about 64 KiB, equal to csv-stringify', async () => {
    // Prepare: enough rows for several chunks.
    const columns = ['resource_key', 'resource_name', 'handled'];
    const rows: StagedCell[][] = Array.from({ length: 5000 }, (_, i) => [i, `agent "${i}", night shift`, i % 7 === 0 ? null : '[["VOICE",null]]']);

    // Act
    const { text, sizes } = await collectText(stagedCsvChunks(columns, fromArray(rows)));

    // Assess
    expect(text).toBe(reference(columns, rows));
    expect(sizes.length).toBeGreaterThan(3);
    expect(sizes.slice(0, -1).every((size) => size >= 65536 && size < 65536 + 200)).toBe(true);
  });

  it.each([
    ['more', [1, 2, 3]],
    ['fewer', [1]],
  ])('refuses a row with %s cells than columns, naming the columns', async (_what, row) => {
    // Act
    const written = collectText(stagedCsvChunks(['a', 'b'], fromArray([[1, 2], row])));

    // Assess
    await expect(written).rejects.toThrow(StagedRowShapeError);
    await expect(collectText(stagedCsvChunks(['a', 'b'], fromArray([row])))).rejects.toThrow(`a row has ${row.length} cells for 2 columns (a,b)`);
  });

  it('writes the header alone for a day without rows', async () => {
    // Act
    const { text } = await collectText(stagedCsvChunks(['a', 'b'], fromArray([])));

    // Assess
    expect(text).toBe('a,b\n');
  });
});
