/**
 * The model of a contact centre: shifts, media and their rates and handling times, IVR call
 * arrivals, names, the agent and queue models, the queues and agent groups every tenant has.
 */
import { MEDIA_TYPES, type MediaCode } from './tables';

export type ShiftKind = 'day' | 'evening' | 'night';

/** Shifts in local time; the night shift crosses local midnight. */
export const SHIFTS: { readonly [K in ShiftKind]: { readonly startHour: number; readonly seconds: number } } = {
  day: { startHour: 8, seconds: 8.5 * 3600 },
  evening: { startHour: 14, seconds: 8.5 * 3600 },
  night: { startHour: 22, seconds: 8.5 * 3600 },
};

export const DIGITAL_MEDIA: readonly MediaCode[] = [
  'CHAT',
  'EMAIL',
  'SMS',
  'SMSSESSION',
  'FACEBOOK',
  'TWITTER',
  'WHATSAPP',
  'COBROWSE',
  'WORKITEM',
];
export const DIGITAL_WEIGHTS: readonly number[] = [30, 25, 8, 4, 6, 3, 8, 5, 11];

const MEDIA_KEY = new Map<MediaCode, number>(MEDIA_TYPES.map((m) => [m.code, m.key]));
export function mediaKey(code: MediaCode): number {
  const key = MEDIA_KEY.get(code);
  if (key === undefined) throw new Error(`internal: no media key for ${code}`);
  return key;
}

/** Interactions per logged-in hour at scale 1, per media. */
export const RATE_PER_HOUR: { readonly [M in MediaCode]: number } = {
  VOICE: 0.8,
  EMAIL: 0.7,
  CHAT: 1.0,
  SMS: 0.5,
  SMSSESSION: 0.4,
  FACEBOOK: 0.3,
  TWITTER: 0.2,
  WHATSAPP: 0.5,
  COBROWSE: 0.25,
  WORKITEM: 0.5,
};

/** Handling time bounds in seconds, per media. */
export const HANDLE_SECONDS: { readonly [M in MediaCode]: readonly [number, number] } = {
  VOICE: [45, 900],
  EMAIL: [90, 900],
  CHAT: [240, 1500],
  SMS: [30, 600],
  SMSSESSION: [120, 900],
  FACEBOOK: [60, 900],
  TWITTER: [60, 600],
  WHATSAPP: [60, 900],
  COBROWSE: [300, 1800],
  WORKITEM: [300, 2400],
};

/** Local-hour weights of IVR call arrivals. */
export const CALL_HOUR_WEIGHTS: readonly number[] = [1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 13, 11, 12, 13, 13, 12, 10, 8, 6, 5, 4, 3, 2];

export const FIRST_NAMES: readonly string[] = [
  'Anna', 'Ben', 'Carla', 'David', 'Elif', 'Farid', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Kira', 'Luca', 'Maya',
  'Nils', 'Olga', 'Pavel', 'Quinn', 'Rosa', 'Sven', 'Tara', 'Umut', 'Vera', 'Wim', 'Xenia', 'Yusuf', 'Zoe',
  'Amir', 'Bianca', 'Chen', 'Dana', 'Celeste',
];
export const LAST_NAMES: readonly string[] = [
  'Adler', 'Brandt', 'Costa', 'Dietrich', 'Evans', 'Fischer', 'Garcia', 'Hansen', 'Ivanova', 'Jansen', 'Keller',
  'Lopez', 'Meyer', 'Novak', 'Okafor', 'Peters', 'Quint', 'Rossi', 'Schmidt', 'Tanaka', 'Usman', 'Vogel', 'Weber',
  'Yilmaz', 'Zimmer', 'Moreau', 'Kowalski',
];

export interface AgentModel {
  /** 0-based number among the tenant's regular agents; test agents 900 000 + j. */
  readonly serial: number;
  readonly kind: 'agent' | 'test' | 'healthcheck';
  readonly resourceKey: number;
  readonly personDbid: number;
  readonly firstName: string;
  readonly lastName: string;
  readonly userName: string;
  readonly employeeId: string;
  readonly shift: ShiftKind;
  /** VOICE first when the agent does voice. */
  readonly media: readonly MediaCode[];
  readonly outbound: boolean;
  readonly callback: boolean;
  /** Indices into the tenant's switches, primary first. */
  readonly switches: readonly number[];
  readonly staleSwitchName: boolean;
  readonly personState: 'enabled' | 'disabled' | 'deleted';
  /** The last day of the month the agent works (left the company); undefined = all month. */
  readonly lastDay: number | undefined;
  readonly weekdayRate: number;
  readonly weekendRate: number;
  readonly disabledLogin: boolean;
  readonly loginMailbox: boolean;
  readonly dnMailbox: boolean;
  readonly dnOtherOptions: boolean;
}

export interface QueueModel {
  readonly name: string;
  readonly code: 'QUEUE' | 'ROUTINGPOINT';
  readonly resourceKey: number;
}

export const QUEUE_NAMES: readonly { name: string; code: 'QUEUE' | 'ROUTINGPOINT' }[] = [
  { name: 'VQ_Sales', code: 'QUEUE' },
  { name: 'VQ_Support', code: 'QUEUE' },
  { name: 'VQ_Callback', code: 'QUEUE' },
  { name: 'VQ_Digital', code: 'QUEUE' },
  { name: 'VQ_Email', code: 'QUEUE' },
  { name: 'RP_Main', code: 'ROUTINGPOINT' },
];

export const AGENT_GROUPS: readonly { name: string; mailbox: boolean; disabled: boolean }[] = [
  { name: 'Sales', mailbox: true, disabled: false },
  { name: 'Support', mailbox: false, disabled: false },
  { name: 'Billing', mailbox: true, disabled: false },
  { name: 'Retention', mailbox: false, disabled: false },
  // Disabled but still configured: its mailbox exists and counts.
  { name: 'Digital Legacy', mailbox: true, disabled: true },
];

export function queueDnDbid(cfgTenantDbid: number, switchIndex: number, queueIndex: number): number {
  return cfgTenantDbid * 1_000_000 + 960_000 + switchIndex * 10 + queueIndex;
}
