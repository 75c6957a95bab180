/**
 * `bds verify` against real databases: the verification SQL (lib/verify) on a small hand-made
 * world whose every value is worked out by hand below from metrics.md and docs/billing-rules.md,
 * then the real command line end to end: `bds backfill` writes the files, `bds verify` agrees
 * with them (exit 0, every value compared), and reports exactly the difference made by editing a
 * file or deleting one (exit 65, text and `--json`).
 *
 * PostgreSQL always runs (PG_TEST_URL, else PGlite); SQL Server runs the same tests when
 * MSSQL_TEST_URL is set (test/helpers/mssql-database.ts), otherwise they are reported skipped.
 * The fixture's INSERT statements are portable and loaded unchanged into both.
 *
 * Tenant `acme`, America/New_York (EDT, UTC-4, no DST change in these days), production from
 * 2026-10-29, so October's monthly files roll up three days:
 *
 *   D1 2026-10-29  [10-29 04:00Z, 10-30 04:00Z)
 *   D2 2026-10-30  [10-30 04:00Z, 10-31 04:00Z)
 *   D3 2026-10-31  [10-31 04:00Z, 11-01 04:00Z)   last day of October
 *
 * Regions: US = NYC [SIP_NYC], MAIN [] (the default); EU = BER [SIP_BER, SIP_NYC] (SIP_NYC is
 * listed twice: NYC comes first in configuration order and wins). GVP: US reads database A, EU
 * database B. Tenant `globex` (UTC, one location, no Config DB needed) shares database A.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BdsConfig, SourceConfig, TenantConfig } from '../../lib/config/types';
import { loadConfig } from '../../lib/config/load';
import { silentLogger } from '../../lib/log/logger';
import { sourceValues, verifyTenantDays, type SourceValue } from '../../lib/verify/verify';
import { createTestDatabase } from '../helpers/database';
import { createMssqlTestDatabase, mssqlTestUrl } from '../helpers/mssql-database';
import { runBds } from '../helpers/cli';
import { seededRandom } from '../helpers/random';
import { dayBounds } from '../../lib/time/calendar';
import { defined, ifSetUp } from '../helpers/suite';

// ---------------------------------------------------------------------------------------------
// The world.

const t = (iso: string): number => Math.floor(Date.parse(iso) / 1000);
const slot = (ts: number): number => Math.floor(ts / 900) * 900;
const SENTINEL_END_KEY = slot(t('2025-12-31T00:00:00Z'));

const MEDIA = { VOICE: 1, CHAT: 2, EMAIL: 3, SMS: 4, SMSSESSION: 5, FACEBOOK: 6, WORKITEM: 7, COBROWSE: 8, THIRDPARTY: 9 } as const;
const ITYPE = { INBOUNDNEW: 1, OUTBOUNDCONTACT: 2, CALLBACK: 3, WEBCALLBACK: 4 } as const;
/** A media key and an interaction type key without a dimension row. */
const UNKNOWN_MEDIA = 99;
const UNKNOWN_TYPE = 99;

function gimSql(): string {
  let sessionKey = 1000;
  let irfKey = 5000;
  const lines: string[] = [];
  const session = (tenant: number, resource: number, media: number, start: string, end: string | null): void => {
    sessionKey += 1;
    const s = t(start);
    const e = end === null ? null : t(end);
    lines.push(
      `INSERT INTO sm_res_session_fact VALUES (${sessionKey}, ${tenant}, ${media}, ${resource}, ${slot(s)}, ${e === null ? SENTINEL_END_KEY : slot(e)}, ${s}, ${e ?? 'NULL'}, ${e === null ? 'NULL' : e - s}, ${e === null ? 1 : 0});`,
    );
  };
  const interaction = (resource: number, media: number, type: number, start: string, handled: number): void => {
    irfKey += 1;
    const s = t(start);
    lines.push(`INSERT INTO interaction_resource_fact VALUES (${irfKey}, ${irfKey + 100000}, 1, ${resource}, ${media}, ${type}, ${slot(s)}, ${s}, ${s + 60}, ${handled}, ${handled});`);
  };
  const agent = (resource: number, tenant: number, name: string, person: number | null): void => {
    lines.push(
      `INSERT INTO resource_ (resource_key, tenant_key, resource_type, resource_type_code, resource_name, resource_cfg_dbid, resource_cfg_type_id) VALUES (${resource}, ${tenant}, 'Agent', 'AGENT', '${name}', ${person ?? 'NULL'}, 3);`,
    );
  };
  lines.push(`INSERT INTO tenant VALUES (1, 'acme', 101), (2, 'globex', 102);`);
  for (const [code, k] of Object.entries(MEDIA)) lines.push(`INSERT INTO media_type VALUES (${k}, '${code}', '${code}', 1);`);
  lines.push(
    `INSERT INTO interaction_type VALUES (1, 'Inbound', 'INBOUND', 'New', 'INBOUNDNEW'), (2, 'Outbound', 'OUTBOUND', 'Contact', 'OUTBOUNDCONTACT'), (3, 'Inbound', 'INBOUND', 'Callback', 'CALLBACK'), (4, 'Inbound', 'INBOUND', 'Web callback', 'WEBCALLBACK');`,
  );
  agent(101, 1, 'alice', 1001); // SIP_NYC → US (NYC)
  agent(102, 1, 'bob', 1002); // SIP_BER → EU
  agent(103, 1, 'carol', 1003); // SIP_OTHER, listed nowhere → default (US)
  agent(104, 1, 'dave', 1004); // SIP_NYC, listed by NYC and BER: NYC first → US
  agent(105, 1, 'test_erin', 1005); // excluded by ^test_
  agent(106, 1, 'frank', null); // no Person → default (US)
  agent(107, 1, 'gina', 1007); // a disabled login on SIP_BER and one on SIP_OTHER → EU
  agent(108, 1, 'eu_healthcheck_7', 1008); // excluded by "healthcheck" (unanchored)
  lines.push(`INSERT INTO resource_ (resource_key, tenant_key, resource_type, resource_type_code, resource_name) VALUES (109, 1, 'Queue', 'QUEUE', 'Q1');`);
  agent(201, 2, 'zed', 2001); // globex

  // --- D1 2026-10-29 ---------------------------------------------------------------------------
  // alice 10:00–12:00 EDT and, overlapping herself, 11:00–11:30: one agent.
  session(1, 101, MEDIA.VOICE, '2026-10-29T14:00:00Z', '2026-10-29T16:00:00Z');
  session(1, 101, MEDIA.VOICE, '2026-10-29T15:00:00Z', '2026-10-29T15:30:00Z');
  // frank 11:15–11:45 EDT: with alice, 2 agents (3 sessions).
  session(1, 106, MEDIA.VOICE, '2026-10-29T15:15:00Z', '2026-10-29T15:45:00Z');
  // dave 12:00–13:00 EDT touches alice's end: no overlap.
  session(1, 104, MEDIA.VOICE, '2026-10-29T16:00:00Z', '2026-10-29T17:00:00Z');
  // Never counted: an excluded agent, a queue, another tenant's agent (counted for globex).
  session(1, 105, MEDIA.VOICE, '2026-10-29T14:00:00Z', '2026-10-29T18:00:00Z');
  session(1, 109, MEDIA.VOICE, '2026-10-29T14:00:00Z', '2026-10-29T18:00:00Z');
  session(2, 201, MEDIA.VOICE, '2026-10-29T14:00:00Z', '2026-10-29T18:00:00Z');
  // bob (EU) 23:00 EDT → 01:00 on D2, with an outbound call handled at 00:30 on D2: the closed
  // session qualifies as a whole and counts on both days.
  session(1, 102, MEDIA.VOICE, '2026-10-30T03:00:00Z', '2026-10-30T05:00:00Z');
  interaction(102, MEDIA.VOICE, ITYPE.OUTBOUNDCONTACT, '2026-10-30T04:30:00Z', 1);
  // dave 23:00 EDT → 00:30 on D2, with a callback handled at 23:30 on D1: counts on D2 too.
  session(1, 104, MEDIA.VOICE, '2026-10-30T03:00:00Z', '2026-10-30T04:30:00Z');
  interaction(104, MEDIA.VOICE, ITYPE.CALLBACK, '2026-10-30T03:30:00Z', 1);

  // --- D2 2026-10-30 ---------------------------------------------------------------------------
  // bob 02:00–03:00 EDT; his outbound call at 03:00 is exactly at end_ts: outside.
  session(1, 102, MEDIA.VOICE, '2026-10-30T06:00:00Z', '2026-10-30T07:00:00Z');
  interaction(102, MEDIA.VOICE, ITYPE.OUTBOUNDCONTACT, '2026-10-30T07:00:00Z', 1);
  // carol chat 09:00–10:00 EDT, a chat handled at its very start, of an interaction type with no
  // interaction_type row: qualifies (chat needs no subtype).
  session(1, 103, MEDIA.CHAT, '2026-10-30T13:00:00Z', '2026-10-30T14:00:00Z');
  interaction(103, MEDIA.CHAT, UNKNOWN_TYPE, '2026-10-30T13:00:00Z', 1);
  // An excluded agent.
  session(1, 108, MEDIA.VOICE, '2026-10-30T13:00:00Z', '2026-10-30T14:00:00Z');
  // gina (EU) SMS from 22:00 EDT, still open; her SMS handled at 01:00 on D3 is after D2's end
  // (an open session runs to the end of the day processed): not an SMS seat on D2, one on D3.
  session(1, 107, MEDIA.SMS, '2026-10-31T02:00:00Z', null);
  interaction(107, MEDIA.SMS, ITYPE.INBOUNDNEW, '2026-10-31T05:00:00Z', 1);
  // alice: end equal to start, end before start: nothing.
  session(1, 101, MEDIA.VOICE, '2026-10-30T13:30:00Z', '2026-10-30T13:30:00Z');
  session(1, 101, MEDIA.VOICE, '2026-10-30T16:00:00Z', '2026-10-30T15:00:00Z');

  // --- D3 2026-10-31 ---------------------------------------------------------------------------
  // dave 08:00–09:00 EDT with a WEBCALLBACK (a callback subtype by the configuration's override).
  session(1, 104, MEDIA.VOICE, '2026-10-31T12:00:00Z', '2026-10-31T13:00:00Z');
  interaction(104, MEDIA.VOICE, ITYPE.WEBCALLBACK, '2026-10-31T12:30:00Z', 1);
  // carol 08:30–08:45 EDT: 2 agents with dave.
  session(1, 103, MEDIA.VOICE, '2026-10-31T12:30:00Z', '2026-10-31T12:45:00Z');
  // alice 10:00–11:00 EDT; her callback was not handled.
  session(1, 101, MEDIA.VOICE, '2026-10-31T14:00:00Z', '2026-10-31T15:00:00Z');
  interaction(101, MEDIA.VOICE, ITYPE.CALLBACK, '2026-10-31T14:30:00Z', 0);
  // frank e-mail 14:00–15:00 EDT: a handled voice call inside (wrong media) and a handled e-mail
  // at its end_ts (outside): not an e-mail seat.
  session(1, 106, MEDIA.EMAIL, '2026-10-31T18:00:00Z', '2026-10-31T19:00:00Z');
  interaction(106, MEDIA.VOICE, ITYPE.INBOUNDNEW, '2026-10-31T18:30:00Z', 1);
  interaction(106, MEDIA.EMAIL, ITYPE.INBOUNDNEW, '2026-10-31T19:00:00Z', 1);
  // dave, a session of a media with no media_type row: workspace only.
  session(1, 104, UNKNOWN_MEDIA, '2026-10-31T16:00:00Z', '2026-10-31T17:00:00Z');
  // bob (EU) a THIRDPARTY session (seats_third_party by the override) with one handled.
  session(1, 102, MEDIA.THIRDPARTY, '2026-10-31T13:00:00Z', '2026-10-31T14:00:00Z');
  interaction(102, MEDIA.THIRDPARTY, ITYPE.INBOUNDNEW, '2026-10-31T13:10:00Z', 1);
  return lines.join('\n');
}

function cfgSql(): string {
  const prop = (dbid: number, objectDbid: number, objectType: number, parent: number, name: string, value: string | null): string =>
    `INSERT INTO cfg_flex_prop VALUES (${dbid}, ${objectDbid}, ${objectType}, ${parent}, NULL, '${name}', ${value === null ? 'NULL' : `'${value}'`});`;
  const lines = [
    `INSERT INTO cfg_tenant VALUES (101, 'acme', 1), (102, 'globex', 1);`,
    `INSERT INTO cfg_switch VALUES (1, 101, 'SIP_NYC', 1, 1), (2, 101, 'SIP_BER', 1, 1), (3, 101, 'SIP_OTHER', 1, 2), (4, 102, 'SIP_X', 1, 1);`,
    ...[1001, 1002, 1003, 1004, 1005, 1007, 1008].map((p) => `INSERT INTO cfg_person VALUES (${p}, 101, 'p${p}', NULL, NULL, 'e${p}', 2, 1);`),
    `INSERT INTO cfg_person VALUES (2001, 102, 'zed', NULL, NULL, 'z', 2, 1);`,
    `INSERT INTO cfg_agent_login VALUES (11, 1, 101, '6001', 1), (12, 4, 102, '6002', 1), (13, 2, 101, '6003', 1), (14, 3, 101, '6004', 1), (15, 1, 101, '6005', 1), (16, 2, 101, '6006', 2), (17, 3, 101, '6007', 1);`,
    `INSERT INTO cfg_login_info (person_dbid, agent_login_dbid) VALUES (1001, 11), (2001, 12), (1002, 13), (1003, 14), (1004, 15), (1007, 16), (1007, 17);`,
    `INSERT INTO cfg_dn VALUES (1, 1, 101, 1, '5001', 1), (2, 1, 101, 1, '5002', 2), (3, 1, 101, 1, '5003', 1), (4, 1, 101, 1, '5004', 1), (5, 4, 102, 1, '5005', 1), (6, 1, 101, 1, '5006', 1), (7, 1, 101, 1, '5007', 1), (8, 1, 101, 1, '5008', 1), (9, 1, 101, 1, '5009', 1), (10, 1, 101, 1, '5010', 1), (11, 1, 101, 1, '5011', 1), (12, 1, 101, 1, '5012', 1);`,
    `INSERT INTO cfg_group VALUES (21, 101, 'Sales', 1, 1);`,
    // Counted: DN 1; DN 2 (disabled); DN 9 (digits between whitespace); DN 11 (two options, once);
    // Agent Login 11; Agent Group 21 → 6.
    prop(100, 1, 2, 0, 'TServer', null),
    prop(101, 1, 2, 100, 'gvm_mailbox', '5001'),
    prop(102, 2, 2, 0, 'TServer', null),
    prop(103, 2, 2, 102, 'gvm_mailbox', '5002'),
    // DN 3: another section. DN 4: spaces only. DN 5: another tenant's. DN 6: NULL. DN 7: no option.
    prop(104, 3, 2, 0, 'Other', null),
    prop(105, 3, 2, 104, 'gvm_mailbox', '5003'),
    prop(106, 4, 2, 0, 'TServer', null),
    prop(107, 4, 2, 106, 'gvm_mailbox', '   '),
    prop(108, 5, 2, 0, 'TServer', null),
    prop(109, 5, 2, 108, 'gvm_mailbox', '5005'),
    prop(110, 6, 2, 0, 'TServer', null),
    prop(111, 6, 2, 110, 'gvm_mailbox', null),
    prop(112, 7, 2, 0, 'TServer', null),
    prop(113, 7, 2, 112, 'other_option', '1'),
    // DN 8: tabs, a line break, a carriage return and spaces: blank. DN 9: not blank.
    prop(114, 8, 2, 0, 'TServer', null),
    prop(115, 8, 2, 114, 'gvm_mailbox', '\t \r\n\t'),
    prop(116, 9, 2, 0, 'TServer', null),
    prop(117, 9, 2, 116, 'gvm_mailbox', '\t5009\n'),
    // DN 12: no-break spaces around a space: blank (docs/billing-rules.md: JavaScript's \s).
    prop(131, 12, 2, 0, 'TServer', null),
    prop(132, 12, 2, 131, 'gvm_mailbox', '\u00a0 \u00a0'),
    // DN 10: the section spelled in lower case: names match exactly, not counted.
    prop(118, 10, 2, 0, 'tserver', null),
    prop(119, 10, 2, 118, 'gvm_mailbox', '5010'),
    // DN 11: two options: one object, counted once.
    prop(120, 11, 2, 0, 'TServer', null),
    prop(121, 11, 2, 120, 'gvm_mailbox', '5011'),
    prop(122, 11, 2, 120, 'gvm_mailbox', '5111'),
    // Agent Login 11 counted; Agent Login 12 is globex's; Agent Group 21 counted; a Person: never.
    prop(123, 11, 15, 0, 'TServer', null),
    prop(124, 11, 15, 123, 'gvm_mailbox', '6001'),
    prop(125, 12, 15, 0, 'TServer', null),
    prop(126, 12, 15, 125, 'gvm_mailbox', '6002'),
    prop(127, 21, 5, 0, 'TServer', null),
    prop(128, 21, 5, 127, 'gvm_mailbox', '7001'),
    prop(129, 1001, 3, 0, 'TServer', null),
    prop(130, 1001, 3, 129, 'gvm_mailbox', '8001'),
  ];
  return lines.join('\n');
}

let gvpId = 0;
function call(component: string, tenant: number, start: string, end: string | null, sessionId = `c${gvpId + 1}`): string {
  gvpId += 1;
  return `INSERT INTO gvp_cdr VALUES (${gvpId}, '${component}', 7, '${sessionId}', ${tenant}, 900, '5550', '${start}', ${end === null ? 'NULL' : `'${end}'`});`;
}
function mediaSession(kind: 'ASR' | 'TTS', tenant: number, start: string, end: string | null): string {
  gvpId += 1;
  return `INSERT INTO gvp_media_resource_session VALUES (${gvpId}, 8, 's1', '${kind}', ${tenant}, '${start}', ${end === null ? 'NULL' : `'${end}'`});`;
}

/** Region US's Reporting Server (database A), UTC timestamps. */
function gvpUsSql(): string {
  gvpId = 0;
  return [
    // Across local midnight D1/D2 (04:00Z): 60 s on each day.
    call('MCP', 101, '2026-10-30 03:59:00', '2026-10-30 04:01:00'),
    // D2: c2 30 s and c3 10 s overlap (peak 2); c4 30 s touches c2's end.
    call('MCP', 101, '2026-10-30 10:00:00', '2026-10-30 10:00:30', 'c2'),
    call('MCP', 101, '2026-10-30 10:00:10', '2026-10-30 10:00:20'),
    call('MCP', 101, '2026-10-30 10:00:30', '2026-10-30 10:01:00'),
    // Still in progress from 30 s before D2's end: 30 s on D2, all of D3 (86,400 s).
    call('MCP', 101, '2026-10-31 03:59:30', null),
    // D3: truncated to [12:00:00, 12:00:01): 1 s, with the open call 2 ports; truncated to nothing.
    call('MCP', 101, '2026-10-31 12:00:00.700', '2026-10-31 12:00:01.200'),
    call('MCP', 101, '2026-10-31 13:00:00.200', '2026-10-31 13:00:00.900'),
    // Never counted: RM and CCP records of c2, another tenant's call, a call ending before it starts.
    call('RM', 101, '2026-10-30 10:00:00', '2026-10-30 10:00:30', 'c2'),
    call('CCP', 101, '2026-10-30 10:00:00', '2026-10-30 10:00:30', 'c2'),
    call('MCP', 102, '2026-10-30 10:00:05', '2026-10-30 10:00:25'),
    call('MCP', 101, '2026-10-30 12:00:00', '2026-10-30 11:00:00'),
    // ASR on D2: 20 s and 10 s overlapping: peak 2, 30 s → 1 minute. Open from 23:00Z on D3:
    // 5 hours to D3's end → 300 minutes.
    mediaSession('ASR', 101, '2026-10-30 10:00:00', '2026-10-30 10:00:20'),
    mediaSession('ASR', 101, '2026-10-30 10:00:05', '2026-10-30 10:00:15'),
    mediaSession('ASR', 101, '2026-10-31 23:00:00', null),
    // TTS on D2: 61 s → 2 minutes; another tenant's TTS is not counted.
    mediaSession('TTS', 101, '2026-10-30 10:00:00', '2026-10-30 10:01:01'),
    mediaSession('TTS', 102, '2026-10-30 10:00:00', '2026-10-30 10:05:00'),
  ].join('\n');
}

/** Region EU's Reporting Server (database B): one 2-minute call on D3. */
function gvpEuSql(): string {
  gvpId = 100;
  return call('MCP', 101, '2026-10-31 08:00:00', '2026-10-31 08:02:00');
}

const SEATS = ['seats_inbound_voice', 'seats_outbound', 'seats_callback', 'seats_chat', 'seats_email', 'seats_sms', 'seats_social', 'seats_cobrowse', 'seats_third_party', 'seats_workspace'] as const;
const GVP = ['gvp_ports', 'gvp_minutes', 'gvp_asr_ports', 'gvp_tts_ports', 'gvp_asr_minutes', 'gvp_tts_minutes'] as const;

function configYaml(dataDir: string, client: 'pg' | 'mssql'): string {
  return `customer:
  garn: GARN0042
  name: "Acme, Corp"
dataDir: ${dataDir}
processingDelay: 2h
sources:
  gim:
    client: ${client}
    connectionString: \${env:DB_A}
  config:
    client: ${client}
    connectionString: \${env:DB_A}
catalogue:
  seats_third_party:
    mediaCodes: [WORKITEM, THIRDPARTY]
  seats_callback:
    subtypeCodes: [CALLBACK, WEBCALLBACK]
tenants:
  - id: acme
    gimTenantKey: 1
    cfgTenantDbid: 101
    timezone: America/New_York
    productionDate: 2026-10-29
    excludeAgents: ["^test_", "healthcheck"]
    metrics: [${[...SEATS, 'voicemail_boxes', ...GVP].join(', ')}]
    regions:
      - code: US
        gvp:
          client: ${client}
          connectionString: \${env:DB_A}
        locations:
          - { code: NYC, switches: [SIP_NYC] }
          - { code: MAIN, switches: [] }
      - code: EU
        gvp:
          client: ${client}
          connectionString: \${env:DB_B}
        locations:
          - { code: BER, switches: [SIP_BER, SIP_NYC] }
  - id: globex
    gimTenantKey: 2
    cfgTenantDbid: 102
    timezone: UTC
    productionDate: 2026-10-29
    metrics: [seats_inbound_voice, seats_workspace]
    regions:
      - code: GL
        locations:
          - { code: ALL, switches: [] }
`;
}

// ---------------------------------------------------------------------------------------------
// The values, by hand. period → metric → region → { measure: value }; everything else is 0.

type Hand = Record<string, Record<string, Record<string, Record<string, number>>>>;
const seat = (concurrent: number, enabled: number) => ({ concurrent, enabled });

const ACME: Hand = {
  '2026-10-29': {
    // alice (two sessions, one agent) + frank → 2; dave touches alice and starts again at 23:00.
    seats_inbound_voice: { US: seat(2, 3), EU: seat(1, 1) },
    seats_outbound: { EU: seat(1, 1) },
    seats_callback: { US: seat(1, 1) },
    seats_workspace: { US: seat(2, 3), EU: seat(1, 1) },
    gvp_ports: { US: { peak: 1 } },
    gvp_minutes: { US: { minutes: 1 } },
    voicemail_boxes: { GLOBAL: { count: 6 } },
  },
  '2026-10-30': {
    // US: dave to 00:30; EU: bob to 01:00 and 02:00–03:00.
    seats_inbound_voice: { US: seat(1, 1), EU: seat(1, 1) },
    seats_outbound: { EU: seat(1, 1) },
    seats_callback: { US: seat(1, 1) },
    seats_chat: { US: seat(1, 1) },
    // US: dave, carol; EU: bob, gina from 22:00 (open, never at the same time as bob).
    seats_workspace: { US: seat(1, 2), EU: seat(1, 2) },
    gvp_ports: { US: { peak: 2 } },
    gvp_minutes: { US: { minutes: 3 } }, // 60 + 30 + 10 + 30 + 30 = 160 s
    gvp_asr_ports: { US: { peak: 2 } },
    gvp_asr_minutes: { US: { minutes: 1 } },
    gvp_tts_ports: { US: { peak: 1 } },
    gvp_tts_minutes: { US: { minutes: 2 } },
    voicemail_boxes: { GLOBAL: { count: 6 } },
  },
  '2026-10-31': {
    // US: dave + carol → 2; alice later; EU: nobody on voice.
    seats_inbound_voice: { US: seat(2, 3) },
    seats_callback: { US: seat(1, 1) },
    seats_sms: { EU: seat(1, 1) },
    seats_third_party: { EU: seat(1, 1) },
    // US: dave (voice, unknown media), carol, alice, frank (e-mail); EU: gina all day + bob.
    seats_workspace: { US: seat(2, 4), EU: seat(2, 2) },
    gvp_ports: { US: { peak: 2 }, EU: { peak: 1 } },
    gvp_minutes: { US: { minutes: 1441 }, EU: { minutes: 2 } }, // 86,400 + 1 s
    gvp_asr_ports: { US: { peak: 1 } },
    gvp_asr_minutes: { US: { minutes: 300 } },
    voicemail_boxes: { GLOBAL: { count: 6 } },
  },
  // October: maxima of the days, distinct agents over the days, sums of minutes.
  '2026-10': {
    seats_inbound_voice: { US: seat(2, 4), EU: seat(1, 1) },
    seats_outbound: { EU: seat(1, 1) },
    seats_callback: { US: seat(1, 1) },
    seats_chat: { US: seat(1, 1) },
    seats_sms: { EU: seat(1, 1) },
    seats_third_party: { EU: seat(1, 1) },
    seats_workspace: { US: seat(2, 4), EU: seat(2, 2) },
    gvp_ports: { US: { peak: 2 }, EU: { peak: 1 } },
    gvp_minutes: { US: { minutes: 1445 }, EU: { minutes: 2 } },
    gvp_asr_ports: { US: { peak: 2 } },
    gvp_asr_minutes: { US: { minutes: 301 } },
    gvp_tts_ports: { US: { peak: 1 } },
    gvp_tts_minutes: { US: { minutes: 2 } },
  },
};

const GLOBEX: Hand = {
  '2026-10-29': { seats_inbound_voice: { GL: seat(1, 1) }, seats_workspace: { GL: seat(1, 1) } },
  '2026-10': { seats_inbound_voice: { GL: seat(1, 1) }, seats_workspace: { GL: seat(1, 1) } },
};

const DAYS = ['2026-10-29', '2026-10-30', '2026-10-31'] as const;

/** Every value the files of the tenant should hold, zeros included, keyed `period metric region measure`. */
function expectedValues(hand: Hand, metrics: readonly string[], regions: readonly string[], days: readonly string[], monthly: boolean): Map<string, number> {
  const out = new Map<string, number>();
  const periods = [...days, ...(monthly ? ['2026-10'] : [])];
  for (const period of periods) {
    for (const metric of metrics) {
      const measures = metric.startsWith('seats_') ? ['concurrent', 'enabled'] : metric === 'voicemail_boxes' ? ['count'] : [metric.endsWith('ports') ? 'peak' : 'minutes'];
      if (metric === 'voicemail_boxes' && period.length === 7) continue;
      for (const region of metric === 'voicemail_boxes' ? ['GLOBAL'] : regions) {
        for (const measure of measures) out.set(`${period} ${metric} ${region} ${measure}`, hand[period]?.[metric]?.[region]?.[measure] ?? 0);
      }
    }
  }
  return out;
}

function keyed(values: readonly SourceValue[]): Map<string, number> {
  return new Map(values.map((v) => [`${v.period} ${v.metric} ${v.region} ${v.measure}`, v.value]));
}

const ACME_METRICS = [...SEATS, 'voicemail_boxes', ...GVP];
/** Per day: 10 seat metrics × 2 regions × 2 measures + 6 GVP × 2 regions + voicemail = 53; the month: 40 + 12 = 52. */
const ACME_VALUES = 3 * 53 + 52;
const GLOBEX_VALUES = 3 * 4 + 4;

// ---------------------------------------------------------------------------------------------
// A random world against a second-by-second model of the definitions.

interface FuzzSession {
  readonly agent: number;
  readonly media: number;
  readonly start: number;
  readonly end: number | null;
}
interface FuzzInteraction {
  readonly agent: number;
  readonly media: number;
  readonly type: number;
  readonly start: number;
  readonly handled: number;
}

const FUZZ_METRICS: readonly { key: string; media: readonly number[] | 'any'; requires: boolean; subtypes: readonly number[] }[] = [
  { key: 'seats_inbound_voice', media: [MEDIA.VOICE], requires: false, subtypes: [] },
  { key: 'seats_outbound', media: [MEDIA.VOICE], requires: true, subtypes: [ITYPE.OUTBOUNDCONTACT] },
  { key: 'seats_chat', media: [MEDIA.CHAT], requires: true, subtypes: [] },
  { key: 'seats_workspace', media: 'any', requires: false, subtypes: [] },
];

function fuzzWorld(seed: number): { sessions: FuzzSession[]; interactions: FuzzInteraction[]; sql: string } {
  const random = seededRandom(seed);
  const int = (n: number): number => Math.floor(random.next() * n);
  const first = dayBounds('2026-10-29', 'UTC').start;
  const sessions: FuzzSession[] = [];
  const interactions: FuzzInteraction[] = [];
  for (let i = 0; i < 80; i += 1) {
    const start = first - 6 * 3600 + int(4 * 86400);
    const open = random.next() < 0.15;
    // Lengths from -10 minutes (end before start) to two days, some of exactly 0 or 1 second.
    const length = random.pick([0, 1, 1, int(600) - 600, int(9 * 3600), int(3600), int(120), 86400 + int(86400), int(3 * 3600) + 3600]);
    sessions.push({ agent: 301 + int(8), media: random.pick([MEDIA.VOICE, MEDIA.VOICE, MEDIA.CHAT, UNKNOWN_MEDIA]), start, end: open ? null : start + length });
  }
  for (let i = 0; i < 50; i += 1) {
    // Half of them on a session's boundary or just inside it, the rest anywhere.
    const s = random.pick(sessions);
    const at = random.next() < 0.7 ? random.pick([s.start, s.start - 1, s.start + 1, s.end ?? s.start + 5, s.end ?? s.start + 7200, (s.end ?? s.start) - 1]) : first - 6 * 3600 + int(4 * 86400);
    interactions.push({
      agent: random.next() < 0.8 ? s.agent : 301 + int(8),
      media: random.pick([MEDIA.VOICE, MEDIA.CHAT, UNKNOWN_MEDIA]),
      type: random.pick([ITYPE.OUTBOUNDCONTACT, ITYPE.INBOUNDNEW, UNKNOWN_TYPE]),
      start: at,
      handled: random.pick([0, 1, 1, 2]),
    });
  }
  const lines = [`INSERT INTO tenant VALUES (3, 'fuzz', 103);`];
  for (let a = 301; a <= 308; a += 1) {
    lines.push(`INSERT INTO resource_ (resource_key, tenant_key, resource_type, resource_type_code, resource_name, resource_cfg_dbid, resource_cfg_type_id) VALUES (${a}, 3, 'Agent', 'AGENT', 'f${a}', NULL, 3);`);
  }
  sessions.forEach((x, i) => {
    lines.push(
      `INSERT INTO sm_res_session_fact VALUES (${90000 + i}, 3, ${x.media}, ${x.agent}, ${slot(x.start)}, ${x.end === null ? SENTINEL_END_KEY : slot(x.end)}, ${x.start}, ${x.end ?? 'NULL'}, NULL, ${x.end === null ? 1 : 0});`,
    );
  });
  interactions.forEach((x, i) => {
    lines.push(`INSERT INTO interaction_resource_fact VALUES (${95000 + i}, ${195000 + i}, 3, ${x.agent}, ${x.media}, ${x.type}, ${slot(x.start)}, ${x.start}, ${x.start + 30}, 0, ${x.handled});`);
  });
  return { sessions, interactions, sql: lines.join('\n') };
}

/** The definitions, second by second: metric → period → [concurrent, enabled]. */
function fuzzModel(world: { sessions: FuzzSession[]; interactions: FuzzInteraction[] }, days: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const metric of FUZZ_METRICS) {
    const monthAgents = new Set<number>();
    let monthPeak = 0;
    for (const date of days) {
      const day = dayBounds(date, 'UTC');
      const covered = new Map<number, Uint8Array>();
      for (const s of world.sessions) {
        if (metric.media !== 'any' && !metric.media.includes(s.media)) continue;
        const windowEnd = s.end ?? day.end;
        if (
          metric.requires &&
          !world.interactions.some(
            (i) =>
              i.agent === s.agent &&
              i.handled > 0 &&
              (metric.media === 'any' || metric.media.includes(i.media)) &&
              (metric.subtypes.length === 0 || metric.subtypes.includes(i.type)) &&
              i.start >= s.start &&
              i.start < windowEnd,
          )
        ) {
          continue;
        }
        const from = Math.max(s.start, day.start);
        const to = Math.min(s.end ?? day.end, day.end);
        if (to <= from) continue;
        let seconds = covered.get(s.agent);
        if (seconds === undefined) covered.set(s.agent, (seconds = new Uint8Array(day.end - day.start)));
        seconds.fill(1, from - day.start, to - day.start);
      }
      let peak = 0;
      for (let second = 0; second < day.end - day.start; second += 1) {
        let active = 0;
        for (const seconds of covered.values()) active += seconds[second] ?? 0;
        if (active > peak) peak = active;
      }
      out.set(`${date} ${metric.key} ZZ concurrent`, peak);
      out.set(`${date} ${metric.key} ZZ enabled`, covered.size);
      for (const agent of covered.keys()) monthAgents.add(agent);
      monthPeak = Math.max(monthPeak, peak);
    }
    out.set(`2026-10 ${metric.key} ZZ concurrent`, monthPeak);
    out.set(`2026-10 ${metric.key} ZZ enabled`, monthAgents.size);
  }
  return out;
}

interface FuzzFact {
  readonly kind: 'call' | 'ASR' | 'TTS';
  /** Milliseconds since the epoch; end null = in progress. */
  readonly startMs: number;
  readonly endMs: number | null;
}

const GVP_FUZZ_METRICS = [
  { key: 'gvp_ports', kind: 'call', measure: 'peak' },
  { key: 'gvp_minutes', kind: 'call', measure: 'minutes' },
  { key: 'gvp_asr_ports', kind: 'ASR', measure: 'peak' },
  { key: 'gvp_asr_minutes', kind: 'ASR', measure: 'minutes' },
  { key: 'gvp_tts_ports', kind: 'TTS', measure: 'peak' },
  { key: 'gvp_tts_minutes', kind: 'TTS', measure: 'minutes' },
] as const;

function gvpFuzzWorld(seed: number): { facts: FuzzFact[]; sql: string } {
  const random = seededRandom(seed);
  const int = (n: number): number => Math.floor(random.next() * n);
  const first = dayBounds('2026-10-29', 'America/New_York').start * 1000;
  const facts: FuzzFact[] = [];
  for (let i = 0; i < 120; i += 1) {
    // Starts from a day before the range to after it, lengths from -1 minute to 50 hours, with
    // milliseconds, some shorter than a second, some open.
    const startMs = first - 86_400_000 + int(5 * 86_400_000);
    const length = random.pick([int(1000), int(60_000) - 60_000, int(600_000), int(7_200_000), 86_400_000 + int(93_600_000), 0, 1500]);
    facts.push({ kind: random.pick(['call', 'call', 'ASR', 'TTS'] as const), startMs, endMs: random.next() < 0.1 ? null : startMs + length });
  }
  const ts = (ms: number): string => `'${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}'`;
  const lines = facts.map((f, i) =>
    f.kind === 'call'
      ? `INSERT INTO gvp_cdr VALUES (${9000 + i}, 'MCP', 7, 'f${i}', 103, 900, '1', ${ts(f.startMs)}, ${f.endMs === null ? 'NULL' : ts(f.endMs)});`
      : `INSERT INTO gvp_media_resource_session VALUES (${9000 + i}, 8, 'f${i}', '${f.kind}', 103, ${ts(f.startMs)}, ${f.endMs === null ? 'NULL' : ts(f.endMs)});`,
  );
  // Decoys: the same facts as RM records and for another tenant.
  lines.push(`INSERT INTO gvp_cdr VALUES (9999, 'RM', 7, 'x', 103, 900, '1', ${ts(first)}, ${ts(first + 3_600_000)});`);
  lines.push(`INSERT INTO gvp_cdr VALUES (9998, 'MCP', 7, 'x', 104, 900, '1', ${ts(first)}, ${ts(first + 3_600_000)});`);
  return { facts, sql: lines.join('\n') };
}

/** The GVP definitions second by second: truncated timestamps, open facts to each day's end, clipped. */
function gvpFuzzModel(facts: readonly FuzzFact[], days: readonly string[], zone: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const metric of GVP_FUZZ_METRICS) {
    let monthPeak = 0;
    let monthMinutes = 0;
    for (const date of days) {
      const day = dayBounds(date, zone);
      const active = new Int32Array(day.end - day.start);
      let seconds = 0;
      for (const f of facts) {
        if (f.kind !== metric.kind) continue;
        const start = Math.floor(f.startMs / 1000);
        const end = f.endMs === null ? day.end : Math.floor(f.endMs / 1000);
        const from = Math.max(start, day.start);
        const to = Math.min(end, day.end);
        if (to <= from) continue;
        seconds += to - from;
        for (let t = from; t < to; t += 1) active[t - day.start] = (active[t - day.start] ?? 0) + 1;
      }
      const peak = active.reduce((a, b) => Math.max(a, b), 0);
      const minutes = Math.ceil(seconds / 60);
      out.set(`${date} ${metric.key} ZZ ${metric.measure}`, metric.measure === 'peak' ? peak : minutes);
      monthPeak = Math.max(monthPeak, peak);
      monthMinutes += minutes;
    }
    out.set(`2026-10 ${metric.key} ZZ ${metric.measure}`, metric.measure === 'peak' ? monthPeak : monthMinutes);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The dialects.

interface World {
  readonly a: SourceConfig;
  readonly b: SourceConfig;
  /** The connection strings the configuration's `${env:DB_A}`, `${env:DB_B}` read. */
  readonly urlA: string;
  readonly urlB: string;
  /** Runs SQL on database A, B. */
  execA(sql: string): Promise<void>;
  execB(sql: string): Promise<void>;
  close(): Promise<void>;
}

interface Dialect {
  readonly name: 'pg' | 'mssql';
  readonly available: boolean;
  readonly title: string;
  create(): Promise<World>;
}

const mssqlUrl = mssqlTestUrl();

const DIALECTS: readonly Dialect[] = [
  {
    name: 'pg',
    available: true,
    title: process.env.PG_TEST_URL ? 'PostgreSQL at PG_TEST_URL' : 'embedded PostgreSQL (PGlite)',
    async create() {
      const [dbA, dbB] = await Promise.all([createTestDatabase(), createTestDatabase()]);
      await Promise.all([dbA.exec(`${gimSql()}\n${cfgSql()}\n${gvpUsSql()}`), dbB.exec(gvpEuSql())]);
      const source = (url: string): SourceConfig => ({ client: 'pg', connectionString: url, connectTimeout: 30, queryTimeout: 300 });
      return {
        a: source(dbA.url),
        b: source(dbB.url),
        urlA: dbA.url,
        urlB: dbB.url,
        execA: (sql) => dbA.exec(sql),
        execB: (sql) => dbB.exec(sql),
        close: async () => {
          await Promise.all([dbA.close(), dbB.close()]);
        },
      };
    },
  },
  {
    name: 'mssql',
    available: mssqlUrl !== undefined,
    title: mssqlUrl !== undefined ? 'SQL Server at MSSQL_TEST_URL' : 'SQL Server (skipped: MSSQL_TEST_URL is not set)',
    async create() {
      const [dbA, dbB] = await Promise.all([createMssqlTestDatabase(), createMssqlTestDatabase()]);
      await Promise.all([dbA.exec(`${gimSql()}\n${cfgSql()}\n${gvpUsSql()}`), dbB.exec(gvpEuSql())]);
      return {
        a: dbA.sourceConfig,
        b: dbB.sourceConfig,
        urlA: dbA.sourceConfig.connectionString ?? '',
        urlB: dbB.sourceConfig.connectionString ?? '',
        execA: (sql) => dbA.exec(sql),
        execB: (sql) => dbB.exec(sql),
        close: async () => {
          await Promise.all([dbA.close(), dbB.close()]);
        },
      };
    },
  },
];

describe.each(DIALECTS)('bds verify on $name', (dialect) => {
  describe.skipIf(!dialect.available)(dialect.title, () => {
    let world: World;
    let work: string;
    let configPath: string;
    let config: BdsConfig;
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
      world = await dialect.create();
      work = await mkdtemp(join(tmpdir(), 'bds-verify-'));
      configPath = join(work, 'bds.config.yaml');
      await writeFile(configPath, configYaml(join(work, 'data'), dialect.name));
      env = { DB_A: world.urlA, DB_B: world.urlB, BDS_CONFIG: configPath, BDS_NOW: '2026-11-02T12:00:00Z' };
      config = loadConfig({ path: configPath, env: { DB_A: world.urlA, DB_B: world.urlB } }).config;
    }, 120_000);

    afterAll(async () => {
      await ifSetUp(world)?.close();
      if (ifSetUp(work) !== undefined) await rm(work, { recursive: true, force: true });
    });

    const dialectWorld = (): World => world;
    const tenant = (id: string) => {
      const found = config.tenants.find((x) => x.id === id);
      if (found === undefined) throw new Error(`no tenant ${id}`);
      return found;
    };

    describe('the verification SQL, against values worked out by hand', () => {
      it('recomputes every value of acme for three days and October', async () => {
        // Act
        const values = await sourceValues({ config, tenant: tenant('acme'), dates: [...DAYS], log: silentLogger });

        // Assess
        expect(values).toHaveLength(ACME_VALUES);
        expect(Object.fromEntries(keyed(values))).toEqual(Object.fromEntries(expectedValues(ACME, ACME_METRICS, ['US', 'EU'], DAYS, true)));
      });

      it('computes a day alone as it does inside the month (the open session and the qualifying windows do not depend on the range)', async () => {
        // Act
        const values = await sourceValues({ config, tenant: tenant('acme'), dates: ['2026-10-30'], log: silentLogger });

        // Assess: no monthly values for a month whose last day was not asked for.
        expect(Object.fromEntries(keyed(values))).toEqual(Object.fromEntries(expectedValues(ACME, ACME_METRICS, ['US', 'EU'], ['2026-10-30'], false)));
      });

      it('verifying the last day alone still rolls up the whole month', async () => {
        const values = await sourceValues({ config, tenant: tenant('acme'), dates: ['2026-10-31'], log: silentLogger });
        expect(values).toHaveLength(53 + 52);
        expect(Object.fromEntries(keyed(values))).toEqual(Object.fromEntries(expectedValues(ACME, ACME_METRICS, ['US', 'EU'], ['2026-10-31'], true)));
      });

      it('keeps tenants apart: globex (one location, no Config DB) counts only its own agent', async () => {
        const values = await sourceValues({
          config,
          tenant: tenant('globex'),
          dates: [...DAYS],
          log: silentLogger,
          // A single-location tenant must not touch the Config DB.
          openClient: async (name, source) => {
            if (name === 'config') throw new Error('the Config DB was opened for a single-location tenant');
            const { openSource } = await import('../../lib/sources/open');
            return openSource(name, source);
          },
        });
        expect(Object.fromEntries(keyed(values))).toEqual(
          Object.fromEntries(expectedValues(GLOBEX, ['seats_inbound_voice', 'seats_workspace'], ['GL'], DAYS, true)),
        );
      });

      it('agrees with a second-by-second model of the definitions on random worlds', async () => {
        const fuzz: TenantConfig = {
          id: 'fuzz',
          gimTenantKey: 3,
          cfgTenantDbid: 103,
          timezone: 'UTC',
          productionDate: '2026-10-29',
          excludeAgents: [],
          metrics: FUZZ_METRICS.map((m) => m.key),
          regions: [{ code: 'ZZ', locations: [{ code: 'ALL', switches: [] }] }],
        };
        const withFuzz = { ...config, tenants: [...config.tenants, fuzz] };
        let counted = 0;
        for (const seed of [20261029, 7, 4242, 99991, 123456]) {
          // Prepare: tenant 3, UTC, one region; sessions and interactions at random, many of them
          // on each other's boundaries, open, empty or reversed.
          const world = fuzzWorld(seed);
          await dialectWorld().execA(world.sql);
          try {
            // Act
            const values = await sourceValues({ config: withFuzz, tenant: fuzz, dates: [...DAYS], log: silentLogger });

            // Assess
            const model = fuzzModel(world, DAYS);
            expect(Object.fromEntries(keyed(values)), `seed ${seed}`).toEqual(Object.fromEntries(model));
            counted += [...model.values()].filter((v) => v > 0).length;
          } finally {
            await dialectWorld().execA(
              ['interaction_resource_fact', 'sm_res_session_fact', 'resource_', 'tenant'].map((table) => `DELETE FROM ${table} WHERE tenant_key = 3;`).join('\n'),
            );
          }
        }
        // The worlds are not trivial.
        expect(counted).toBeGreaterThan(50);
      });

      it('GVP agrees with a second-by-second model on random facts (truncation, open facts, facts over several days)', async () => {
        const zz: TenantConfig = {
          id: 'gvpfuzz',
          gimTenantKey: 4,
          cfgTenantDbid: 103,
          timezone: 'America/New_York',
          productionDate: '2026-10-29',
          excludeAgents: [],
          metrics: GVP_FUZZ_METRICS.map((m) => m.key),
          regions: [{ code: 'ZZ', gvp: world.b, locations: [{ code: 'ALL', switches: [] }] }],
        };
        const withZz = { ...config, tenants: [...config.tenants, zz] };
        for (const seed of [1, 2026, 31337]) {
          const fuzz = gvpFuzzWorld(seed);
          await world.execB(fuzz.sql);
          try {
            const values = await sourceValues({ config: withZz, tenant: zz, dates: [...DAYS], log: silentLogger });
            expect(Object.fromEntries(keyed(values)), `seed ${seed}`).toEqual(Object.fromEntries(gvpFuzzModel(fuzz.facts, DAYS, zz.timezone)));
          } finally {
            await world.execB('DELETE FROM gvp_cdr WHERE cdr_id >= 9000; DELETE FROM gvp_media_resource_session WHERE id >= 9000;');
          }
        }
      });

      it("GVP: a region's own queries (docs/gvp-queries.md) choose the facts, the reference SQL still counts them", async () => {
        // Prepare: region US reads its calls and sessions through the deployment's queries; the
        // calls query leaves out call 6 (D3's one-second call, 12:00:00.700Z).
        const queries = {
          calls: `SELECT CAST(c.cdr_id AS VARCHAR(20)) AS call_id, c.call_start, c.call_end
  FROM gvp_cdr c
 WHERE c.component = 'MCP' AND c.tenant_id = :tenantDbid AND c.cdr_id <> 6
   AND c.call_start < :dayEnd AND (c.call_end IS NULL OR c.call_end > :dayStart);`,
          mediaSessions: `SELECT CAST(m.id AS VARCHAR(20)) AS session_id, m.resource_kind, m.start_ts, m.end_ts
  FROM gvp_media_resource_session m
 WHERE m.tenant_id = :tenantDbid AND m.start_ts < :dayEnd AND (m.end_ts IS NULL OR m.end_ts > :dayStart)`,
        };
        const acme = tenant('acme');
        const custom: TenantConfig = {
          ...acme,
          regions: acme.regions.map((r) => (r.code === 'US' && r.gvp !== undefined ? { ...r, gvp: { ...r.gvp, queries } } : r)),
        };
        const hand = JSON.parse(JSON.stringify(ACME)) as Hand;
        const set = (period: string, metric: string, measure: string, value: number) => {
          const days = defined(hand[period], `the hand-computed values of ${period}`);
          const byRegion: Partial<Record<string, Record<string, number>>> = (days[metric] ??= {});
          (byRegion.US ??= {})[measure] = value;
        };
        set('2026-10-31', 'gvp_ports', 'peak', 1);
        set('2026-10-31', 'gvp_minutes', 'minutes', 1440);
        set('2026-10', 'gvp_minutes', 'minutes', 1444);

        // Act
        const values = await sourceValues({ config: { ...config, tenants: [custom] }, tenant: custom, dates: [...DAYS], log: silentLogger });

        // Assess
        expect(Object.fromEntries(keyed(values))).toEqual(Object.fromEntries(expectedValues(hand, ACME_METRICS, ['US', 'EU'], DAYS, true)));
      });

      it('days before the production date do not exist', async () => {
        const result = await verifyTenantDays({ config, tenant: tenant('acme'), dates: ['2026-10-27', '2026-10-28'], log: silentLogger, readFile: () => Promise.resolve(undefined) });
        expect(result).toMatchObject({ days: [], months: [], values: 0, differences: [] });
      });
    });

    describe('the command line, on files written by bds backfill', () => {
      const folder = (...parts: string[]) => join(work, 'data', 'billing', ...parts);

      beforeAll(async () => {
        const result = await runBds(['backfill', '--from', '2026-10-29', '--to', '2026-10-31', '--no-transmit'], { env });
        expect(result.code, result.stderr + result.stdout).toBe(0);
      }, 120_000);

      it('agrees with every file (exit 0) and says how many values it compared', async () => {
        // Act
        const result = await runBds(['verify', '--from', '2026-10-29', '--to', '2026-10-31'], { env });

        // Assess
        expect(result.stdout).toMatch(new RegExp(`^acme: 2026-10-29\\.\\.2026-10-31 \\(3 days\\) and month 2026-10: ${ACME_VALUES} values compared, all equal`, 'm'));
        expect(result.stdout).toMatch(new RegExp(`^globex: 2026-10-29\\.\\.2026-10-31 \\(3 days\\) and month 2026-10: ${GLOBEX_VALUES} values compared, all equal`, 'm'));
        expect(result.code, result.stdout + result.stderr).toBe(0);
      });

      it('--json: the documented document', async () => {
        const result = await runBds(['verify', '--date', '2026-10-30', '--tenant', 'acme', '--json'], { env });
        expect(result.code, result.stderr).toBe(0);
        const doc = JSON.parse(result.stdout) as Record<string, unknown>;
        expect(doc).toEqual({
          format: 'bds-verify/1',
          ok: true,
          exitCode: 0,
          from: '2026-10-30',
          to: '2026-10-30',
          valuesCompared: 53,
          differences: [],
          tenants: [
            {
              tenant: 'acme',
              ok: true,
              days: ['2026-10-30'],
              months: [],
              valuesCompared: 53,
              differences: 0,
              snapshotMetrics: ['voicemail_boxes'],
              durationMs: expect.any(Number) as number,
            },
          ],
        });
      });

      it('reports exactly an edited value (exit 65), in text and in JSON', async () => {
        // Prepare: US inbound voice concurrent on D3 is 2; the file is made to say 7.
        const path = folder('acme', '2026', '10', 'CNT_US_PES_seats_inbound_voice_GARN0042_acme_D20261031.csv');
        const original = await readFile(path, 'utf8');
        const lines = original.split('\n');
        const row = lines.findIndex((l) => l.includes(',concurrent,'));
        expect(lines[row]?.endsWith(',2')).toBe(true);
        lines[row] = `${lines[row]?.slice(0, -1)}7`;
        await writeFile(path, lines.join('\n'));
        try {
          // Act
          const text = await runBds(['verify', '--date', '2026-10-31', '--tenant', 'acme'], { env });
          const json = await runBds(['verify', '--date', '2026-10-31', '--tenant', 'acme', '--json'], { env });

          // Assess
          expect(text.code, text.stderr).toBe(65);
          expect(text.stdout).toMatch(/^acme\s+US\s+seats_inbound_voice\s+2026-10-31\s+concurrent\s+7\s+2\s*$/m);
          expect(text.stdout).toContain(`acme: 2026-10-31 and month 2026-10: ${53 + 52} values compared, 1 differs`);
          expect(json.code).toBe(65);
          const doc = JSON.parse(json.stdout) as { ok: boolean; exitCode: number; valuesCompared: number; differences: unknown[] };
          expect(doc).toMatchObject({ ok: false, exitCode: 65, valuesCompared: 105 });
          expect(doc.differences).toEqual([
            {
              tenant: 'acme',
              region: 'US',
              metric: 'seats_inbound_voice',
              measure: 'concurrent',
              period: '2026-10-31',
              periodType: 'daily',
              file: 'CNT_US_PES_seats_inbound_voice_GARN0042_acme_D20261031.csv',
              fileValue: 7,
              sourceValue: 2,
              reason: 'value',
            },
          ]);
        } finally {
          await writeFile(path, original);
        }
      });

      it('reports a deleted file as a difference of each of its values', async () => {
        // Prepare
        const path = folder('acme', '2026', '10', 'CNT_EU_PES_gvp_minutes_GARN0042_acme_M202610.csv');
        const original = await readFile(path, 'utf8');
        await unlink(path);
        try {
          // Act
          const result = await runBds(['verify', '--date', '2026-10-31', '--json'], { env });

          // Assess
          expect(result.code).toBe(65);
          const doc = JSON.parse(result.stdout) as { differences: unknown[]; tenants: { tenant: string; ok: boolean }[] };
          expect(doc.differences).toEqual([
            {
              tenant: 'acme',
              region: 'EU',
              metric: 'gvp_minutes',
              measure: 'minutes',
              period: '2026-10',
              periodType: 'monthly',
              file: 'CNT_EU_PES_gvp_minutes_GARN0042_acme_M202610.csv',
              fileValue: null,
              sourceValue: 2,
              reason: 'missing-file',
            },
          ]);
          expect(doc.tenants.map((x) => [x.tenant, x.ok])).toEqual([
            ['acme', false],
            ['globex', true],
          ]);
          const text = await runBds(['verify', '--date', '2026-10-31', '--tenant', 'acme'], { env });
          expect(text.stdout).toMatch(/^acme\s+EU\s+gvp_minutes\s+2026-10\s+minutes\s+-\s+2\s+file missing$/m);
        } finally {
          await writeFile(path, original);
        }
      });

      it('a source that cannot be reached is exit 1, and the message names it', async () => {
        const result = await runBds(['verify', '--date', '2026-10-30', '--tenant', 'globex'], {
          env: { ...env, DB_A: dialect.name === 'pg' ? 'postgres://bds:s3cret@127.0.0.1:1/gim' : 'Server=127.0.0.1,1;User Id=sa;Password=s3cret;Encrypt=false;Connect Timeout=2' },
        });
        expect(result.code).toBe(1);
        expect(result.stdout).toContain('globex: NOT VERIFIED: source gim');
        expect(result.stdout + result.stderr).not.toContain('s3cret');
      });

      it('refuses a bad command line (exit 64): no day, both forms, a day that has not ended', async () => {
        expect((await runBds(['verify'], { env })).code).toBe(64);
        expect((await runBds(['verify', '--date', '2026-10-30', '--from', '2026-10-29', '--to', '2026-10-30'], { env })).code).toBe(64);
        const future = await runBds(['verify', '--date', '2026-11-02'], { env });
        expect(future.code).toBe(64);
        expect(future.stderr).toContain('has not ended yet');
      });
    });
  });
});
