/**
 * Config DB rows: the Environment tenant, and each tenant's snapshot (switches, persons, agent
 * logins, DNs, agent groups and their annex options, with the voicemail boxes and their decoys).
 */
import { GenerateOptionsError } from './errors';
import { AGENT_GROUPS, QUEUE_NAMES, queueDnDbid } from './model';
import { Rng, STREAM, streamSeed } from './random';
import type { Emit } from './tables';
import type { TenantRun } from './tenant-run';

/** The Environment tenant and its default administrator (Person 100), written once per run. */
export function* environmentRows(): Generator<Emit> {
  yield ['cfg_tenant', [1, 'Environment', 1]];
  yield ['cfg_person', [100, 1, 'default', null, null, 'default', 1, 1]];
}

/** One tenant's Config DB snapshot, counting the voicemail boxes it creates as it goes. */
export function* configRows(t: TenantRun): Generator<Emit> {
  const { layout } = t;
  const tenant = layout.cfgTenantDbid;
  const base = tenant * 1_000_000;
  const rng = new Rng(streamSeed(t.run.seed, STREAM.config, tenant));
  let flexSeq = 0;
  const nextFlexDbid = (): number => {
    flexSeq += 1;
    if (flexSeq >= 1_000_000) throw new GenerateOptionsError(`too many annex options for tenant ${layout.name}`);
    return base + flexSeq;
  };
  /** A section row (parent 0) and its option rows (parent = the section's dbid). */
  function* section(
    objectDbid: number,
    objectType: number,
    name: string,
    options: readonly (readonly [string, string | null])[],
  ): Generator<Emit> {
    const sectionDbid = nextFlexDbid();
    yield ['cfg_flex_prop', [sectionDbid, objectDbid, objectType, 0, null, name, null]];
    for (const [option, value] of options) {
      yield ['cfg_flex_prop', [nextFlexDbid(), objectDbid, objectType, sectionDbid, null, option, value]];
    }
  }
  /** A counted voicemail box: the option in section TServer, with a non-blank value. */
  function* mailbox(objectDbid: number, objectType: number, value: string): Generator<Emit> {
    t.voicemailBoxes += 1;
    yield* section(objectDbid, objectType, 'TServer', [['gvm_mailbox', value]]);
  }

  yield ['cfg_tenant', [tenant, layout.name, 1]];
  const switchDbid = (s: number): number => tenant * 100 + s + 1;
  for (const [s, sw] of layout.switches.entries()) yield ['cfg_switch', [switchDbid(s), tenant, sw.name, 1, 1]];

  // Persons: agents (is_agent 2) minus the deleted ones, plus supervisors who are not agents.
  for (const a of t.agents) {
    if (a.personState === 'deleted') continue;
    yield [
      'cfg_person',
      [a.personDbid, tenant, a.userName, a.firstName, a.lastName, a.employeeId, 2, a.personState === 'disabled' ? 2 : 1],
    ];
  }
  const supervisors = Math.max(1, Math.round(layout.agents / 25));
  for (let k = 0; k < supervisors; k += 1) {
    const dbid = base + 950_001 + k;
    const userName = `supervisor${k + 1}@${layout.name}`;
    yield ['cfg_person', [dbid, tenant, userName, 'Sam', `Lead${k + 1}`, `${layout.name.toUpperCase()}-S${k + 1}`, 1, 1]];
    // Decoy: the option on a Person (object type 3) is not a mailbox.
    if (k === 0) yield* section(dbid, 3, 'TServer', [['gvm_mailbox', '7001']]);
  }

  // Agent Logins and which Person may use them. A deleted Person's logins stay, unassigned.
  for (const a of t.agents) {
    const test = a.kind !== 'agent';
    for (const [k, s] of a.switches.entries()) {
      const loginDbid = test ? base + 900_101 + (a.serial - 900_000) * 2 + k : base + 2 * a.serial + k + 1;
      const code = test ? `99${a.serial - 900_000}` : String(100_000 + a.serial);
      yield ['cfg_agent_login', [loginDbid, switchDbid(s), tenant, code, a.disabledLogin ? 2 : 1]];
      if (a.personState !== 'deleted') yield ['cfg_login_info', [a.personDbid, loginDbid, (a.serial % 4) * 10]];
      if (k === 0 && a.loginMailbox) yield* mailbox(loginDbid, 15, code);
    }
  }
  if (layout.switches.length > 0) {
    const spare = Math.max(2, Math.round(layout.agents * 0.05));
    for (let j = 0; j < spare; j += 1) {
      const dbid = base + 800_001 + j;
      const code = String(800_000 + j);
      // Spare 0 is disabled and keeps its mailbox (counts); spare 1 has a blank one (does not).
      yield ['cfg_agent_login', [dbid, switchDbid(j % layout.switches.length), tenant, code, j === 0 ? 2 : 1]];
      if (j === 0) yield* mailbox(dbid, 15, code);
      else if (j === 1) yield* section(dbid, 15, 'TServer', [['gvm_mailbox', '   ']]);
      else if (rng.chance(0.3)) yield* mailbox(dbid, 15, code);
    }

    // DNs: an extension per agent with a login, queues and a routing point per switch, decoys.
    for (const a of t.agents) {
      const primary = a.switches[0];
      if (primary === undefined) continue;
      const test = a.kind !== 'agent';
      const dbid = test ? base + 900_001 + (a.serial - 900_000) : base + a.serial + 1;
      const number = test ? `2990${a.serial - 900_000}` : String(20_000 + a.serial);
      yield ['cfg_dn', [dbid, switchDbid(primary), tenant, 1, number, 1]];
      const options: (readonly [string, string | null])[] = [];
      if (a.dnOtherOptions) options.push(['contact', '*']);
      if (a.dnMailbox) {
        options.push(['gvm_mailbox', number]);
        t.voicemailBoxes += 1;
      }
      if (a.dnOtherOptions) options.push(['dual-dialog-enabled', 'true']);
      if (options.length > 0) yield* section(dbid, 2, 'TServer', options);
    }
    for (const s of layout.switches.keys()) {
      for (const [k, q] of QUEUE_NAMES.entries()) {
        const dbid = queueDnDbid(tenant, s, k);
        yield ['cfg_dn', [dbid, switchDbid(s), tenant, q.code === 'QUEUE' ? 3 : 4, String(7000 + s * 10 + k), 1]];
        if (s === 0 && k === 0) yield* mailbox(dbid, 2, '7000');
      }
    }
    const decoy = (k: number): number => base + 990_001 + k;
    const first = switchDbid(0);
    yield ['cfg_dn', [decoy(0), first, tenant, 1, '5990', 1]];
    yield* section(decoy(0), 2, 'voicemail', [['gvm_mailbox', '5990']]); // another section: no
    yield ['cfg_dn', [decoy(1), first, tenant, 1, '5991', 1]];
    yield* section(decoy(1), 2, 'TServer', [['gvm_mailbox', '']]); // blank: no
    yield ['cfg_dn', [decoy(2), first, tenant, 1, '5992', 1]];
    yield* section(decoy(2), 2, 'TServer', [['gvm_mailbox', null]]); // NULL: no
    yield ['cfg_dn', [decoy(3), first, tenant, 1, '5993', 2]];
    yield* mailbox(decoy(3), 2, '5993'); // disabled DN, still configured: yes
  }

  for (const [k, g] of AGENT_GROUPS.entries()) {
    const dbid = tenant * 100 + k + 1;
    yield ['cfg_group', [dbid, tenant, g.name, 1, g.disabled ? 2 : 1]];
    if (g.mailbox) yield* mailbox(dbid, 5, String(6000 + k));
  }
}
