/**
 * Structured logs: one JSON object per line (time, level, msg, then fields such as tenant, day,
 * stage, durationMs, counts). Every line is redacted, with the secrets of the registry the
 * logger was created with, before it is written.
 *
 * An error given as a field is written as its one-line description (describeError) and, beside
 * it, its code: `error` → `errorCode` (a PostgreSQL SQLSTATE such as `28P01`, a Node.js code such
 * as `ECONNREFUSED`), which the description leaves out and which is what one searches and alerts
 * on. The code is the error's own, else its nearest cause's (a wrapper such as "day failed" has
 * none of its own; the driver error it wraps has the SQLSTATE). An error with no code anywhere in
 * its chain gets no code field. Pass the error itself, not `describeError(error)`, or the code is
 * lost.
 */
import { describeError, nearestErrorCode } from '../errors';
import { SecretRegistry } from './redact';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function serialise(value: unknown): unknown {
  if (value instanceof Error) return describeError(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/**
 * Creates a logger writing to `write` (default: stderr, so that stdout stays for a command's
 * own output). Lines below `level` (default from BDS_LOG_LEVEL, else info) are dropped. Every
 * line is redacted with `secrets` (the program's registry, lib/runtime); without one only
 * passwords inside URLs are hidden.
 */
export function createLogger(
  options: { write?: (line: string) => void; level?: LogLevel; fields?: LogFields; secrets?: SecretRegistry } = {},
): Logger {
  const secrets = options.secrets ?? new SecretRegistry();
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const envLevel = process.env.BDS_LOG_LEVEL;
  const level: LogLevel =
    options.level ?? (envLevel === 'debug' || envLevel === 'warn' || envLevel === 'error' ? envLevel : 'info');
  const base = options.fields ?? {};
  const emit = (lvl: LogLevel, msg: string, fields?: LogFields): void => {
    if (ORDER[lvl] < ORDER[level]) return;
    const record: Record<string, unknown> = { time: new Date().toISOString(), level: lvl, msg };
    for (const [k, v] of Object.entries({ ...base, ...fields })) {
      record[k] = serialise(v);
      const code = v instanceof Error ? nearestErrorCode(v) : undefined;
      // A field the caller set itself (`errorCode` given explicitly) is not overwritten.
      if (code !== undefined && !(`${k}Code` in record)) record[`${k}Code`] = code;
    }
    write(secrets.redact(JSON.stringify(record)) + '\n');
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (fields) => createLogger({ write, level, secrets, fields: { ...base, ...fields } }),
  };
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
