/**
 * Loads the configuration for a command or a handler invocation, registers its secrets with
 * the log redactor before anything can be printed, and sets the permissions of the files the
 * run will create.
 */
import { DEFAULT_DIR_MODE, DEFAULT_FILE_MODE, setFileModes } from '../files/atomic';
import { registerSecrets } from '../log/redact';
import type { BdsConfig } from './types';
import { loadConfig } from './load';

/** Loads (and validates) the configuration from `path`, else BDS_CONFIG, else ./bds.config.yaml. */
export function loadRuntimeConfig(path?: string): BdsConfig {
  const loaded = loadConfig(path === undefined ? {} : { path });
  registerSecrets(loaded.secrets);
  // Always set, defaults included: a long-running process (the scheduler) reloads the file,
  // and a `files` section removed since must not leave its modes behind.
  setFileModes(loaded.config.files?.mode ?? DEFAULT_FILE_MODE, loaded.config.files?.dirMode ?? DEFAULT_DIR_MODE);
  return loaded.config;
}
