/**
 * Shared query tests: the product's own SQL (GIM sessions, Config DB agent switches and
 * voicemail objects, GVP calls and media sessions) run through the product's own SourceClient
 * and row functions against the reference schemas of each dialect, with the same fixtures and
 * the same hand-worked expectations.
 *
 * - pg always runs: on the server at PG_TEST_URL, or on an embedded PGlite.
 * - mssql runs only when MSSQL_TEST_URL names a SQL Server (see test/helpers/mssql-database.ts
 *   for the accepted strings); otherwise its tests are reported as skipped.
 *
 * Each dialect gets two databases, created in parallel: `seats` (the GIM + Config DB seats
 * fixture) and `vox` (the GVP Reporting Server + Config DB voicemail fixture); the two fixtures
 * both fill the cfg_* tables with different objects under the same ids, so they cannot share one.
 * The fixtures' INSERT statements are portable as they stand and are loaded unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../lib/config/types';
import { cfgAgentSwitchRows, cfgVoicemailRows } from '../../lib/extract/cfg';
import { GIM_SESSIONS_QUERY, gimSessionRows } from '../../lib/extract/gim';
import { GVP_CALLS_QUERY, gvpParameters, gvpUsageRows } from '../../lib/extract/gvp';
import type { StagedCell } from '../../lib/staging/staged';
import { SourceError } from '../../lib/sources/errors';
import { openSource } from '../../lib/sources/open';
import type { Row, SourceClient } from '../../lib/sources/types';
import { dayBounds } from '../../lib/time/calendar';
import { gvpUsSql, voicemailSql } from '../fixtures/gvp-voicemail-fixture';
import { seatsFixtureSql, t } from '../fixtures/seats-fixture';
import { createTestDatabase } from '../helpers/database';
import { createMssqlTestDatabase, mssqlTestUrl } from '../helpers/mssql-database';

/** A database of one dialect with the reference schemas loaded. */
interface DialectDatabase {
  readonly sourceConfig: SourceConfig;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

interface Dialect {
  readonly name: 'pg' | 'mssql';
  readonly available: boolean;
  /** The suite's title: what it runs against, or why it is skipped. */
  readonly title: string;
  create(): Promise<DialectDatabase>;
  /** The code a SourceError carries for a missing table: SQLSTATE / SQL Server error number. */
  readonly missingTableCode: string;
  /** Acceptable outcomes (see `outcomeOf`) of a non-integer string bound to an integer column's parameter. */
  readonly badIntegerOutcomes: readonly string[];
  /** Acceptable outcomes of a non-timestamp string bound to a timestamp column's parameter. */
  readonly badTimestampOutcomes: readonly string[];
}

const mssqlUrl = mssqlTestUrl();

const DIALECTS: readonly Dialect[] = [
  {
    name: 'pg',
    available: true,
    title: process.env.PG_TEST_URL ? 'PostgreSQL at PG_TEST_URL' : 'embedded PostgreSQL (PGlite)',
    async create() {
      const db = await createTestDatabase();
      return {
        sourceConfig: { client: 'pg', connectionString: db.url, connectTimeout: 30, queryTimeout: 120 },
        exec: (sql) => db.exec(sql),
        close: () => db.close(),
      };
    },
    missingTableCode: '42P01',
    // PostgreSQL types the parameter from its column and rejects the text before running anything.
    badIntegerOutcomes: ['SourceError 22P02'],
    badTimestampOutcomes: ['SourceError 22007'],
  },
  {
    name: 'mssql',
    available: mssqlUrl !== undefined,
    title: mssqlUrl !== undefined ? 'SQL Server at MSSQL_TEST_URL' : 'SQL Server (skipped: MSSQL_TEST_URL is not set)',
    create: () => createMssqlTestDatabase(),
    missingTableCode: '208',
    // The NVARCHAR parameter is converted to the column's type when a row is compared (245, 241);
    // a plan that compares no row would return nothing instead.
    badIntegerOutcomes: ['SourceError 245', 'no rows'],
    badTimestampOutcomes: ['SourceError 241', 'no rows'],
  },
];

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const row of rows) all.push(row);
  return all;
}

/** What running a query came to: `no rows`, `<n> rows`, `SourceError <code>` or another failure. */
async function outcomeOf(rows: AsyncIterable<Row>): Promise<string> {
  try {
    const all = await collect(rows);
    return all.length === 0 ? 'no rows' : `${all.length} rows`;
  } catch (error) {
    if (error instanceof SourceError) return `SourceError ${error.code ?? '(no code)'}`;
    return `unexpected ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
}

/** Creates all databases, or none: a partial failure closes those that were created. */
async function createAll(dialect: Dialect, count: number): Promise<DialectDatabase[]> {
  const settled = await Promise.allSettled(Array.from({ length: count }, () => dialect.create()));
  const created = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(created.map((db) => db.close().catch(() => undefined)));
    throw failure.reason;
  }
  return created;
}

/** A staged gim_sessions row, as gimSessionRows yields it. */
function sessionRow(
  resourceKey: number,
  resourceName: string,
  personDbid: number | null,
  sessionKey: number,
  media: string,
  start: string,
  end: string | null,
  handled: readonly (readonly [string, string | null])[],
): StagedCell[] {
  return [resourceKey, resourceName, personDbid, String(sessionKey), media, t(start), end === null ? null : t(end), JSON.stringify(handled)];
}

/** Orders staged GVP rows by id (the GVP queries have no ORDER BY). */
function byId(rows: StagedCell[][]): StagedCell[][] {
  return [...rows].sort((a, b) => Number(a[1]) - Number(b[1]));
}

const ACME = { tenantKey: 1, cfgTenantDbid: 101, zone: 'America/New_York' } as const;
const VOX_TENANT_DBID = 101;
const INJECTION = '1; DROP TABLE resource_';

describe.each(DIALECTS)('shared queries on $name', (dialect) => {
  describe.skipIf(!dialect.available)(dialect.title, () => {
    let databases: DialectDatabase[] = [];
    const clients: SourceClient[] = [];
    let gim: SourceClient;
    let seatsConfig: SourceClient;
    let voxConfig: SourceClient;
    let gvp: SourceClient;
    let gvpSource: SourceConfig;

    beforeAll(async () => {
      databases = await createAll(dialect, 2);
      const [seats, vox] = databases;
      if (seats === undefined || vox === undefined) throw new Error('two databases expected');
      await Promise.all([seats.exec(seatsFixtureSql()), vox.exec(`${gvpUsSql()}\n${voicemailSql()}`)]);
      gvpSource = vox.sourceConfig;
      gim = await openSource('gim', seats.sourceConfig);
      seatsConfig = await openSource('config', seats.sourceConfig);
      voxConfig = await openSource('config', vox.sourceConfig);
      gvp = await openSource('gvp@US', vox.sourceConfig);
      clients.push(gim, seatsConfig, voxConfig, gvp);
    });

    afterAll(async () => {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await Promise.all(databases.map((db) => db.close()));
    });

    describe('GIM sessions', () => {
      it('returns every agent session of acme overlapping 2026-10-31, ordered by agent then start, with its handled pairs', async () => {
        // Prepare
        const day = dayBounds('2026-10-31', ACME.zone);

        const notes: Record<string, number> = {};

        // Act
        const rows = await collect(gimSessionRows(gim, { tenantKey: ACME.tenantKey, dayStart: day.start, dayEnd: day.end }, notes));

        // Assess: lena ended on the 30th; the queue Q1 is no agent (and has its resource_ row, so
        // it is no orphan either); zed is globex's; mike and nora start after the day. test_erin
        // is still here: exclusion happens in aggregation.
        // Handled pairs cover the agent's interactions of any media started inside the session.
        expect(rows).toEqual([
          // alice: her 03:00Z outbound call lies in the first session; the 11:00Z one after the second.
          sessionRow(101, 'alice', 1001, 1002, 'VOICE', '2026-10-31T02:00:00Z', '2026-10-31T06:00:00Z', [['VOICE', 'OUTBOUNDCONTACT']]),
          sessionRow(101, 'alice', 1001, 1003, 'VOICE', '2026-10-31T06:00:00Z', '2026-10-31T10:00:00Z', []),
          // bob: the voice (05:30Z) and chat (06:00Z) interactions both start inside both sessions.
          sessionRow(102, 'bob', 1002, 1004, 'VOICE', '2026-10-31T05:00:00Z', '2026-10-31T07:00:00Z', [
            ['CHAT', 'INBOUNDNEW'],
            ['VOICE', 'INBOUNDNEW'],
          ]),
          sessionRow(102, 'bob', 1002, 1005, 'CHAT', '2026-10-31T05:30:00Z', '2026-10-31T08:00:00Z', [
            ['CHAT', 'INBOUNDNEW'],
            ['VOICE', 'INBOUNDNEW'],
          ]),
          // carol: still open; her callback starts on Nov 1, after this day's end.
          sessionRow(103, 'carol', 1003, 1006, 'VOICE', '2026-11-01T03:00:00Z', null, []),
          sessionRow(104, 'dave', 1004, 1007, 'VOICE', '2026-10-31T05:00:00Z', '2026-10-31T06:00:00Z', []),
          sessionRow(104, 'dave', 1004, 1008, 'VOICE', '2026-10-31T05:30:00Z', '2026-10-31T05:45:00Z', []),
          sessionRow(105, 'test_erin', 1005, 1009, 'VOICE', '2026-10-31T05:00:00Z', '2026-10-31T09:00:00Z', []),
          // frank: no Person DBID; one e-mail not handled, the handled one after the session.
          sessionRow(107, 'frank', null, 1011, 'EMAIL', '2026-10-31T14:00:00Z', '2026-10-31T16:00:00Z', []),
          sessionRow(108, 'gina', 1008, 1012, 'SMSSESSION', '2026-10-31T20:00:00Z', '2026-10-31T20:00:10Z', [['SMS', 'INBOUNDNEW']]),
          sessionRow(109, 'helen', 1009, 1013, 'SMS', '2026-10-31T20:00:09Z', '2026-10-31T20:30:00Z', [['SMS', 'INBOUNDNEW']]),
          sessionRow(110, 'kim', 1010, 1014, 'VOICE', '2026-10-31T07:00:00Z', '2026-10-31T08:00:00Z', []),
        ]);
        expect(notes).toEqual({ orphanSessions: 0 });
      });

      it("finds an open session's callback on 2026-11-01, the day it started", async () => {
        // Prepare
        const day = dayBounds('2026-11-01', ACME.zone);

        // Act
        const rows = await collect(gimSessionRows(gim, { tenantKey: ACME.tenantKey, dayStart: day.start, dayEnd: day.end }));

        // Assess
        expect(rows.filter((row) => row[0] === 103)).toEqual([
          sessionRow(103, 'carol', 1003, 1006, 'VOICE', '2026-11-01T03:00:00Z', null, [['VOICE', 'CALLBACK']]),
        ]);
      });
      it("looks for a closed session's interactions up to its end, past the day's end, and an open session's up to the day's end", async () => {
        // Prepare: tenant 4, UTC. Three sessions from 22:00 on 10-30 to 02:00 on 10-31, with an
        // outbound call at 01:00 (inside), at 02:00 (end_ts: outside) and at 21:59:59 (a
        // second before start: outside); an open session from 22:00 with a call at 01:00.
        const seats = databases[0];
        if (seats === undefined) throw new Error('the seats database is missing');
        const slot = (ts: number): number => Math.floor(ts / 900) * 900;
        const start = t('2026-10-30T22:00:00Z');
        const end = t('2026-10-31T02:00:00Z');
        const lines = [`INSERT INTO tenant VALUES (4, 'window', 104);`];
        const calls = [t('2026-10-31T01:00:00Z'), end, start - 1, t('2026-10-31T01:00:00Z')];
        calls.forEach((at, i) => {
          const resource = 401 + i;
          const open = i === 3;
          lines.push(
            `INSERT INTO resource_ (resource_key, tenant_key, resource_type, resource_type_code, resource_name, resource_cfg_dbid, resource_cfg_type_id) VALUES (${resource}, 4, 'Agent', 'AGENT', 'w${i}', NULL, 3);`,
            `INSERT INTO sm_res_session_fact VALUES (${4001 + i}, 4, 1, ${resource}, ${slot(start)}, ${open ? slot(t('2025-12-31T00:00:00Z')) : slot(end)}, ${start}, ${open ? 'NULL' : end}, ${open ? 'NULL' : end - start}, ${open ? 1 : 0});`,
            `INSERT INTO interaction_resource_fact VALUES (${4101 + i}, ${4201 + i}, 4, ${resource}, 1, 2, ${slot(at)}, ${at}, ${at + 60}, 1, 1);`,
          );
        });
        await seats.exec(lines.join('\n'));
        const handledOn = async (date: string): Promise<unknown[]> => {
          const day = dayBounds(date, 'UTC');
          const rows = await collect(gimSessionRows(gim, { tenantKey: 4, dayStart: day.start, dayEnd: day.end }));
          return rows.map((row) => [row[0], row[7]]);
        };

        // Act
        let on30: unknown[];
        let on31: unknown[];
        try {
          on30 = await handledOn('2026-10-30');
          on31 = await handledOn('2026-10-31');
        } finally {
          await seats.exec(
            ['interaction_resource_fact', 'sm_res_session_fact', 'resource_', 'tenant'].map((table) => `DELETE FROM ${table} WHERE tenant_key = 4;`).join('\n'),
          );
        }

        // Assess
        const outbound = JSON.stringify([['VOICE', 'OUTBOUNDCONTACT']]);
        expect(on30).toEqual([
          [401, outbound],
          [402, '[]'],
          [403, '[]'],
          [404, '[]'],
        ]);
        expect(on31).toEqual([
          [401, outbound],
          [402, '[]'],
          [403, '[]'],
          [404, outbound],
        ]);
      });

      it('carries codes with separators, NULL subtypes and repeated pairs through the aggregated list, and counts sessions without a resource_ row', async () => {
        // Prepare: tenant 3 in the seats database, with media and subtype codes that contain the
        // list's separators and escape character, a subtype code that is NULL, a type key with no
        // interaction_type row, the same pair handled twice, and a session of a resource that
        // resource_ does not have (with a handled interaction of its own).
        const seats = databases[0];
        if (seats === undefined) throw new Error('the seats database is missing');
        const start = t('2026-10-31T12:00:00Z');
        const slot = (ts: number): number => Math.floor(ts / 900) * 900;
        const irf = (key: number, resource: number, media: number, type: number, at: number): string =>
          `INSERT INTO interaction_resource_fact VALUES (${key}, ${key + 100000}, 3, ${resource}, ${media}, ${type}, ${slot(at)}, ${at}, ${at + 60}, 1, 1);`;
        await seats.exec(
          [
            `INSERT INTO tenant VALUES (3, 'odd', 103);`,
            `INSERT INTO media_type VALUES (31, 'odd', 'A,B=C!0', 1), (32, 'plain', 'PLAIN', 1);`,
            `INSERT INTO interaction_type VALUES (31, 'x', 'X', NULL, NULL), (32, 'y', 'Y', 'y', '=!,!1'), (33, 'z', 'Z', '', '');`,
            `INSERT INTO resource_ (resource_key, tenant_key, resource_type, resource_type_code, resource_name, resource_cfg_dbid, resource_cfg_type_id) VALUES (301, 3, 'Agent', 'AGENT', 'olga', 3001, 3);`,
            `INSERT INTO sm_res_session_fact VALUES (3001, 3, 32, 301, ${slot(start)}, ${slot(start + 3600)}, ${start}, ${start + 3600}, 3600, 0);`,
            `INSERT INTO sm_res_session_fact VALUES (3002, 3, 32, 399, ${slot(start)}, ${slot(start + 3600)}, ${start}, ${start + 3600}, 3600, 0);`,
            `INSERT INTO sm_res_session_fact VALUES (3003, 3, 32, 398, ${slot(start)}, ${slot(start + 60)}, ${start}, ${start + 60}, 60, 0);`,
            irf(3101, 301, 31, 31, start + 60),
            irf(3102, 301, 31, 32, start + 120),
            irf(3103, 301, 32, 32, start + 180),
            irf(3104, 301, 32, 32, start + 240),
            irf(3105, 301, 32, 99, start + 300),
            irf(3106, 399, 32, 32, start + 360),
            irf(3107, 301, 32, 33, start + 420),
          ].join('\n'),
        );
        const day = dayBounds('2026-10-31', 'UTC');
        const notes: Record<string, number> = {};

        // Act
        let rows: StagedCell[][];
        try {
          rows = await collect(gimSessionRows(gim, { tenantKey: 3, dayStart: day.start, dayEnd: day.end }, notes));
        } finally {
          // The other tests of this database know tenants 1 and 2 only.
          await seats.exec(
            ['interaction_resource_fact', 'sm_res_session_fact', 'resource_', 'tenant']
              .map((table) => `DELETE FROM ${table} WHERE tenant_key = 3;`)
              .concat(['DELETE FROM interaction_type WHERE interaction_type_key IN (31, 32, 33);', 'DELETE FROM media_type WHERE media_type_key IN (31, 32);'])
              .join('\n'),
          );
        }

        // Assess: one row for olga's session with five distinct pairs, in code-unit order with a
        // NULL subtype first and an empty one next; the two sessions of unknown resources are
        // counted, not staged.
        expect(rows).toEqual([
          sessionRow(301, 'olga', 3001, 3001, 'PLAIN', '2026-10-31T12:00:00Z', '2026-10-31T13:00:00Z', [
            ['A,B=C!0', null],
            ['A,B=C!0', '=!,!1'],
            ['PLAIN', null],
            ['PLAIN', ''],
            ['PLAIN', '=!,!1'],
          ]),
        ]);
        expect(notes).toEqual({ orphanSessions: 2 });
      });
    });

    describe('Config DB', () => {
      it('returns the switches of the Agent Logins of each acme Person, in order', async () => {
        // Act
        const rows = await collect(cfgAgentSwitchRows(seatsConfig, { tenantDbid: ACME.cfgTenantDbid }));

        // Assess: dave has both switches (one login disabled), carol (1003) has no login, zed is globex's.
        expect(rows).toEqual([
          [1001, 'SIP_NYC'],
          [1002, 'SIP_BER'],
          [1004, 'SIP_BER'],
          [1004, 'SIP_NYC'],
          [1008, 'SIP_OTHER'],
          [1009, 'SIP_NYC'],
          [1010, 'SIP_BER'],
          [1011, 'SIP_BER'],
          [1012, 'SIP_NYC'],
          [1013, 'SIP_BER'],
        ]);
      });

      it('returns exactly the four mailbox-carrying objects of tenant 101', async () => {
        // Act
        const rows = await collect(cfgVoicemailRows(voxConfig, { tenantDbid: VOX_TENANT_DBID }));

        // Assess: DN 1, disabled DN 2, DN 12 (a number between whitespace), Agent Login 11,
        // Agent Group 21; every decoy left out, the whitespace-only values among them.
        expect(rows).toEqual([
          [2, 1],
          [2, 2],
          [2, 12],
          [5, 21],
          [15, 11],
        ]);
      });
    });

    describe('GVP Reporting Server', () => {
      it('returns the MCP calls of tenant 101 overlapping 2026-10-31, times as UTC epoch seconds', async () => {
        // Prepare
        const day = dayBounds('2026-10-31', ACME.zone);

        // Act
        const rows = await collect(
          gvpUsageRows(gvp, gvpSource, { tenantDbid: VOX_TENANT_DBID, dayStart: day.start, dayEnd: day.end }, { calls: true, asr: false, tts: false }),
        );

        // Assess: no RM/CCP record, no tenant 102 call. The call ending before it starts overlaps
        // by the query's predicate; aggregation gives it no time.
        expect(byId(rows)).toEqual([
          ['call', '1', t('2026-10-31T03:59:00Z'), t('2026-10-31T04:01:00Z')],
          ['call', '2', t('2026-10-31T10:00:00Z'), t('2026-10-31T10:00:30Z')],
          ['call', '3', t('2026-10-31T10:00:10Z'), t('2026-10-31T10:00:20Z')],
          ['call', '4', t('2026-10-31T10:00:30Z'), t('2026-10-31T10:01:00Z')],
          ['call', '5', t('2026-11-01T03:59:30Z'), null],
          ['call', '9', t('2026-10-31T12:00:00Z'), t('2026-10-31T11:00:00Z')],
        ]);
      });

      it('returns the in-progress call with a NULL end and a UTC start through the raw calls query', async () => {
        // Prepare
        const day = dayBounds('2026-10-31', ACME.zone);

        // Act
        const rows = await collect(gvp.stream(GVP_CALLS_QUERY, gvpParameters(VOX_TENANT_DBID, day.start, day.end)));

        // Assess: the id is text on both dialects, the start a Date of the stored UTC moment.
        const inProgress = rows.find((row) => row.call_id === '5');
        expect(inProgress).toEqual({ call_id: '5', call_start: new Date('2026-11-01T03:59:30Z'), call_end: null });
      });

      it('returns the ASR and TTS sessions of tenant 101 overlapping 2026-10-31', async () => {
        // Prepare
        const day = dayBounds('2026-10-31', ACME.zone);

        // Act
        const rows = await collect(
          gvpUsageRows(gvp, gvpSource, { tenantDbid: VOX_TENANT_DBID, dayStart: day.start, dayEnd: day.end }, { calls: false, asr: true, tts: true }),
        );

        // Assess: tenant 102's TTS session is left out.
        expect(byId(rows)).toEqual([
          ['asr', '10', t('2026-10-31T10:00:00Z'), t('2026-10-31T10:00:20Z')],
          ['asr', '11', t('2026-10-31T10:00:05Z'), t('2026-10-31T10:00:15Z')],
          ['asr', '12', t('2026-10-31T10:00:20Z'), t('2026-10-31T10:00:25Z')],
          ['tts', '13', t('2026-10-31T10:00:00Z'), t('2026-10-31T10:01:01Z')],
        ]);
      });
    });

    describe('parameters and errors', () => {
      it('binds a tenant value carrying SQL as a parameter: nothing is dropped', async () => {
        // Prepare
        const day = dayBounds('2026-10-31', ACME.zone);

        // Act
        const outcome = await outcomeOf(gim.stream(GIM_SESSIONS_QUERY, { tenantKey: INJECTION, dayStart: day.start, dayEnd: day.end }));

        // Assess
        expect(dialect.badIntegerOutcomes).toContain(outcome);
        const agents = await collect(gim.stream({ name: 'test.resources', text: 'SELECT resource_key FROM resource_ ORDER BY resource_key' }, {}));
        expect(agents.map((row) => Number(row.resource_key))).toEqual([101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 201]);
      });

      it('binds a timestamp value carrying SQL as a parameter: nothing is dropped', async () => {
        // Prepare
        const day = dayBounds('2026-10-31', ACME.zone);
        const params = { ...gvpParameters(VOX_TENANT_DBID, day.start, day.end), dayStart: "2026-10-31T04:00:00'; DROP TABLE gvp_cdr; --" };

        // Act
        const outcome = await outcomeOf(gvp.stream(GVP_CALLS_QUERY, params));

        // Assess
        expect(dialect.badTimestampOutcomes).toContain(outcome);
        const calls = await collect(gvp.stream({ name: 'test.cdrs', text: 'SELECT cdr_id FROM gvp_cdr ORDER BY cdr_id' }, {}));
        expect(calls.map((row) => Number(row.cdr_id))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      });

      it("fails on a missing table with a SourceError carrying the dialect's own code", async () => {
        // Act
        const outcome = await outcomeOf(gim.stream({ name: 'test.missing', text: 'SELECT resource_key FROM no_such_table' }, {}));

        // Assess
        expect(outcome).toBe(`SourceError ${dialect.missingTableCode}`);
      });
    });
  });
});
