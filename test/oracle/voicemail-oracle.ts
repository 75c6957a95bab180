/**
 * voicemail_boxes from metrics.md: the tenant's DNs (2), Agent Logins (15) and Agent Groups (5),
 * tenant taken from the owning object, with option `gvm_mailbox` in section `TServer` whose value
 * has a character that is not whitespace; each object once; enabled or disabled alike.
 */
import type { TenantConfig, World } from './world';

// "Spaces, tabs and line breaks are blank."
const BLANK = new Set([' ', '\t', '\n', '\r']);

/** Whether an option value is non-blank in the sense of metrics.md. */
export function isNonBlank(value: string | null): boolean {
  // By code point: every blank character is a single one.
  return value !== null && Array.from(value).some((c) => !BLANK.has(c));
}

/** The tenant of object (`type`, `dbid`), or undefined for another type or a missing object. */
function ownerTenant(world: World, type: number, dbid: number): number | undefined {
  const table = type === 2 ? world.cfg.dns : type === 15 ? world.cfg.agentLogins : type === 5 ? world.cfg.groups : [];
  return table.find((o) => o.dbid === dbid)?.tenantDbid;
}

/** The tenant's number of voicemail boxes (the same on every day: the Config DB has no history). */
export function mailboxCount(world: World, tenant: TenantConfig): number {
  const boxes = new Set<string>();
  for (const option of world.cfg.flexProps) {
    if (option.parentDbid === 0 || option.name !== 'gvm_mailbox' || !isNonBlank(option.value)) continue;
    const section = world.cfg.flexProps.find((p) => p.dbid === option.parentDbid);
    if (section === undefined || section.parentDbid !== 0 || section.name !== 'TServer') continue;
    if (ownerTenant(world, option.objectType, option.objectDbid) !== tenant.cfgTenantDbid) continue;
    boxes.add(`${option.objectType}/${option.objectDbid}`);
  }
  return boxes.size;
}
