/**
 * The GIM query sends a session's handled (media, subtype) pairs as one escaped string. These
 * tests hold the decoder to that encoding as documented, written again in TypeScript below; the
 * SQL's own output is decoded against real databases in test/integration/shared-queries.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { decodeHandledPairs } from '../../lib/extract/gim';
import { SourceDataError } from '../../lib/extract/errors';

/** The SQL's encoding of one code, written again in TypeScript: `!` first, then `,` and `=`. */
function encode(code: string): string {
  return code.replaceAll('!', '!0').replaceAll(',', '!1').replaceAll('=', '!2');
}

describe('decodeHandledPairs', () => {
  it('reads NULL as a session that handled nothing', () => {
    // Act
    const pairs = decodeHandledPairs(null, '1');

    // Assess
    expect(pairs).toEqual([]);
  });

  it('tells a NULL subtype (no "=") from an empty one ("=" and nothing)', () => {
    // Act
    const pairs = decodeHandledPairs('VOICE,VOICE=,CHAT=INBOUNDNEW', '1');

    // Assess
    expect(pairs).toEqual([
      ['VOICE', null],
      ['VOICE', ''],
      ['CHAT', 'INBOUNDNEW'],
    ]);
  });

  it('reads an empty media code with a NULL subtype as one pair, not as none', () => {
    // Act
    const pairs = decodeHandledPairs('', '1');

    // Assess
    expect(pairs).toEqual([['', null]]);
  });

  it.each([
    ['separators', 'A,B', 'x=y'],
    ['the escape character', '!', '!0!1!2'],
    ['all of them at once', '=!,', ',,==!!'],
  ])('gives back codes containing %s exactly as encoded', (_what, media, subtype) => {
    // Prepare
    const handled = [`${encode(media)}=${encode(subtype)}`, encode(media)].join(',');

    // Act
    const pairs = decodeHandledPairs(handled, '1');

    // Assess
    expect(pairs).toEqual([
      [media, subtype],
      [media, null],
    ]);
  });

  it.each([
    ['an unknown escape', 'VOICE!3'],
    ['an escape cut off at the end', 'VOICE!'],
    ['a cut-off escape before the subtype', 'VOICE!=INBOUNDNEW'],
  ])('rejects %s, naming the session', (_what, handled) => {
    // Act
    const decode = (): unknown => decodeHandledPairs(handled, '4711');

    // Assess
    expect(decode).toThrow(SourceDataError);
    expect(decode).toThrow(/session 4711 has a malformed handled list/);
  });
});
