/**
 * The runtime: what a run takes from its surroundings rather than from its configuration file's
 * data — the clock ("now", or `BDS_NOW`), the permissions of the files it creates, and the
 * registry of secrets its output is redacted with. It is made once at a program's or a
 * handler's boundary (app/cli/main.ts, app/scheduler, lib/pipeline/handler.ts `createHandler`)
 * and passed down, in the options or context objects the pipeline already has (RunOptions,
 * TransmitOptions, ...), to whatever needs it. Nothing below reads the environment or module
 * state for these, so tests inject a clock or a registry instead of setting variables.
 */
import type { BdsConfig } from '../config/types';
import { loadConfig } from '../config/load';
import { DEFAULT_FILE_MODES, type FileModes } from '../files/atomic';
import { SecretRegistry } from '../log/redact';
import { clockFromEnv, type Clock } from '../time/clock';

/** What one program or handler invocation runs with, besides its configuration. */
export interface Runtime {
  /** "Now" for every decision of the run (which days have ended, event times, gauges). */
  readonly clock: Clock;
  /** Permissions of the files and folders the run creates (the configuration's `files`). */
  readonly fileModes: FileModes;
  /** The values the run must never print; loggers and printed output are redacted with it. */
  readonly secrets: SecretRegistry;
}

export interface RuntimeOptions {
  /** Where `BDS_NOW` is read (default `process.env`); ignored when `clock` is given. */
  readonly env?: NodeJS.ProcessEnv;
  /** The clock to use instead of the environment's (tests). */
  readonly clock?: Clock;
  /** The configuration's `files` section; absent: 0o640 files, 0o750 folders. */
  readonly files?: BdsConfig['files'];
  /** The program's registry, when it has one already (its logger and error output use it). */
  readonly secrets?: SecretRegistry;
}

/**
 * Makes a runtime.
 *
 * @throws InvalidClockError (lib/time/errors.ts) when BDS_NOW is set but is not an ISO 8601
 *   time with its zone; programs report it as invalid configuration (exit 78).
 */
export function createRuntime(options: RuntimeOptions = {}): Runtime {
  return {
    clock: options.clock ?? clockFromEnv(options.env ?? process.env),
    fileModes: options.files === undefined ? DEFAULT_FILE_MODES : { file: options.files.mode, dir: options.files.dirMode },
    secrets: options.secrets ?? new SecretRegistry(),
  };
}

/** A configuration and the runtime to run it with. */
export interface LoadedRuntime {
  readonly config: BdsConfig;
  readonly runtime: Runtime;
}

/**
 * Loads (and validates) the configuration from `path`, else BDS_CONFIG, else ./bds.config.yaml,
 * and makes its runtime: the file's secrets are registered before anything can be printed, the
 * file modes are the file's.
 *
 * @throws ConfigError when the configuration is missing or invalid (exit 78).
 * @throws InvalidClockError when BDS_NOW is invalid (exit 78).
 */
export function loadRuntime(path: string | undefined, options: Omit<RuntimeOptions, 'files'> = {}): LoadedRuntime {
  const env = options.env ?? process.env;
  // The clock first: a broken BDS_NOW is reported even when the file is broken too.
  const clock = options.clock ?? clockFromEnv(env);
  const loaded = loadConfig({ path, env });
  const secrets = options.secrets ?? new SecretRegistry();
  secrets.register(loaded.secrets);
  return { config: loaded.config, runtime: createRuntime({ clock, secrets, files: loaded.config.files }) };
}
