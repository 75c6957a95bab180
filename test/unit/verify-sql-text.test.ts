import { describe, expect, it } from 'vitest';
import { VerifyError } from '../../lib/verify/errors';
import { chunk, epochSeconds, exactlyEquals, integerLiteral, integerTable } from '../../lib/verify/sql-text';
import { BLANK_CHARACTERS, SLOT_SECONDS, gimSeatsQuery, gvpQuery, slotRows, timestampText, voicemailQuery } from '../../lib/verify/queries';
import { dayBounds } from '../../lib/time/calendar';

describe('integerLiteral', () => {
  it('writes safe integers as digits', () => {
    expect(integerLiteral(0)).toBe('0');
    expect(integerLiteral(-42)).toBe('-42');
    expect(integerLiteral(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991');
  });

  it.each([Number.NaN, Infinity, 1.5, 2 ** 53, '1', '1; DROP TABLE resource_', null, undefined, 10n])('refuses %s', (value) => {
    expect(() => integerLiteral(value)).toThrow(VerifyError);
  });
});

describe('chunk', () => {
  it('splits into pieces of at most the size, in order', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 3)).toEqual([]);
    expect(chunk([1, 2], 2)).toEqual([[1, 2]]);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => chunk([1], 0)).toThrow(RangeError);
    expect(() => chunk([1], 1.5)).toThrow(RangeError);
  });
});

describe('integerTable', () => {
  it('is one VALUES list per chunk, joined by UNION ALL', () => {
    const sql = integerTable(['person_dbid', 'region_no'], [[1, 0], [2, 1], [3, 1]], 2);
    expect(sql).toBe(
      'SELECT person_dbid, region_no FROM (VALUES (1, 0), (2, 1)) AS v(person_dbid, region_no)\n' +
        'UNION ALL SELECT person_dbid, region_no FROM (VALUES (3, 1)) AS v(person_dbid, region_no)',
    );
  });

  it('chunks 2,500 rows into three lists of at most 1,000 by default', () => {
    const rows = Array.from({ length: 2500 }, (_, i) => [i]);
    const sql = integerTable(['k'], rows);
    expect(sql.split('UNION ALL')).toHaveLength(3);
    expect(sql.match(/\(\d+\)/g)).toHaveLength(2500);
  });

  it('an empty table keeps its columns and has no row', () => {
    expect(integerTable(['resource_key'], [])).toBe('SELECT resource_key FROM (VALUES (0)) AS v(resource_key) WHERE 1 = 0');
  });

  it('refuses values that are not safe integers, rows of the wrong width and odd column names', () => {
    expect(() => integerTable(['k'], [[1.5]])).toThrow(VerifyError);
    expect(() => integerTable(['a', 'b'], [[1]])).toThrow(VerifyError);
    expect(() => integerTable(['k; DROP'], [[1]])).toThrow(RangeError);
  });
});

describe('dialect fragments', () => {
  it('epoch seconds: EXTRACT on PostgreSQL, DATEDIFF_BIG on SQL Server, both truncating', () => {
    expect(epochSeconds('pg', 'c.call_start')).toBe('CAST(FLOOR(EXTRACT(EPOCH FROM c.call_start)) AS BIGINT)');
    expect(epochSeconds('mssql', 'c.call_start')).toBe("DATEDIFF_BIG(SECOND, CAST('1970-01-01T00:00:00' AS DATETIME2), c.call_start)");
    expect(() => epochSeconds('pg', 'x); DROP')).toThrow(RangeError);
  });

  it('exact comparison: plain on PostgreSQL, in a binary collation on SQL Server', () => {
    expect(exactlyEquals('pg', 'sec.prop_name', 'TServer')).toBe("sec.prop_name = 'TServer'");
    expect(exactlyEquals('mssql', 'sec.prop_name', 'TServer')).toBe("sec.prop_name COLLATE Latin1_General_BIN2 = 'TServer'");
    expect(() => exactlyEquals('pg', 'sec.prop_name', "x' OR 1=1")).toThrow(RangeError);
  });
});

describe('the queries', () => {
  const day = { dayNo: 0, start: 1_761_710_400, end: 1_761_796_800 };

  it('bind the configuration codes as parameters, never as SQL text', () => {
    const evil = "VOICE'); DROP TABLE resource_; --";
    const built = gimSeatsQuery({
      tenantKey: 1,
      days: [day],
      metrics: [
        { metricNo: 0, mediaCodes: [evil], requiresInteraction: true, subtypeCodes: ['CALLBACK'] },
        { metricNo: 1, mediaCodes: 'any', requiresInteraction: false, subtypeCodes: [] },
      ],
      defaultRegion: 0,
      placement: [[1001, 1]],
      excluded: [7],
      monthly: true,
      interactionsFrom: day.start - 3600,
      interactionsTo: day.end,
    });
    expect(built.query.text).not.toContain('DROP');
    expect(Object.values(built.params)).toContain(evil);
    expect(Object.values(built.params)).toContain('CALLBACK');
    // The literal lists are there: the placement, the exclusion and the day.
    expect(built.query.text).toContain('(VALUES (1001, 1))');
    expect(built.query.text).toContain('(VALUES (7))');
    expect(built.query.text).toContain(`(VALUES (0, ${day.start}, ${day.end}))`);
    // Every placeholder has its value.
    for (const name of built.query.text.match(/:[A-Za-z_]\w*/g) ?? []) expect(built.params).toHaveProperty(name.slice(1));
  });

  it('leave out what a tenant does not need: no placement, no exclusions, no qualifying interactions', () => {
    const built = gimSeatsQuery({
      tenantKey: 1,
      days: [day],
      metrics: [{ metricNo: 0, mediaCodes: ['VOICE'], requiresInteraction: false, subtypeCodes: [] }],
      defaultRegion: 0,
      placement: [],
      excluded: [],
      monthly: false,
      interactionsFrom: 0,
      interactionsTo: 0,
    });
    expect(built.query.text).not.toContain('placement');
    expect(built.query.text).not.toContain('excluded');
    expect(built.query.text).not.toContain('interaction_resource_fact');
    expect(built.query.text).not.toContain('-1 AS day_no');
  });

  it('refuse "any media" with a required interaction, which no catalogue entry has', () => {
    expect(() =>
      gimSeatsQuery({
        tenantKey: 1,
        days: [day],
        metrics: [{ metricNo: 0, mediaCodes: 'any', requiresInteraction: true, subtypeCodes: [] }],
        defaultRegion: 0,
        placement: [],
        excluded: [],
        monthly: false,
        interactionsFrom: 0,
        interactionsTo: 0,
      }),
    ).toThrow(VerifyError);
  });

  it('GVP: the range as zone-less UTC text, the epoch fragment of the dialect', () => {
    expect(timestampText(1_761_710_400)).toBe('2025-10-29T04:00:00');
    const built = gvpQuery({ dialect: 'mssql', tenantDbid: 101, days: [day], monthly: false });
    expect(built.params).toEqual({ tenantDbid: 101, rangeStart: '2025-10-29T04:00:00', rangeEnd: '2025-10-30T04:00:00' });
    expect(built.query.text).toContain('DATEDIFF_BIG(SECOND');
    expect(built.query.text).not.toContain('EXTRACT');
  });

  it("voicemail: the blank characters are parameters, exactly those of JavaScript's \\s besides the space", () => {
    const built = voicemailQuery('pg', 101);
    const blanks = Object.entries(built.params).filter(([k]) => k.startsWith('blank')).map(([, v]) => v as string);
    expect(blanks).toEqual([...BLANK_CHARACTERS]);
    // Every character that \s matches is a space or one of them, and nothing else is.
    for (let code = 0; code <= 0xffff; code += 1) {
      const c = String.fromCharCode(code);
      expect(c === ' ' || blanks.includes(c), `U+${code.toString(16)}`).toBe(/\s/.test(c));
    }
    expect(built.query.text).toContain("sec.prop_name = 'TServer'");
    expect(built.query.text).not.toMatch(/[\u0000-\u0008\u000e-\u001f\u00a0\u2028]/);
  });
});

describe('slotRows', () => {
  it('gives each hour of the range the days it overlaps, a boundary inside an hour giving it two', () => {
    // Lord Howe ends DST at 02:00 local on 2026-04-05, going back 30 minutes: a 24.5 h day whose
    // end falls in the middle of a slot counted from the range's start.
    const zone = 'Australia/Lord_Howe';
    const days = ['2026-04-05', '2026-04-06'].map((d, dayNo) => ({ dayNo, ...dayBounds(d, zone) }));
    const [first, second] = days;
    if (first === undefined || second === undefined) throw new Error('two days');
    expect(first.end - first.start).toBe(24.5 * 3600);
    const rows = slotRows(days);
    // 48.5 hours → 49 slots; slot 24 holds the end of day 0 and the start of day 1.
    expect(new Set(rows.map((r) => r[0])).size).toBe(49);
    expect(rows.filter((r) => r[0] === 24)).toEqual([
      [24, 0, first.start],
      [24, 1, second.start],
    ]);
    expect(rows.filter((r) => r[0] === 23)).toEqual([[23, 0, first.start]]);
    // Every slot's days really overlap it.
    for (const [slot, dayNo] of rows) {
      const day = days[dayNo as number];
      const from = first.start + (slot as number) * SLOT_SECONDS;
      expect(day !== undefined && day.start < from + SLOT_SECONDS && day.end > from).toBe(true);
    }
  });

  it('leaves out a day without a second (a day the zone skipped)', () => {
    const days = [
      { dayNo: 0, start: 0, end: 7200 },
      { dayNo: 1, start: 7200, end: 7200 },
      { dayNo: 2, start: 7200, end: 10800 },
    ];
    expect(slotRows(days)).toEqual([
      [0, 0, 0],
      [1, 0, 0],
      [2, 2, 7200],
    ]);
  });
});
