/**
 * Loads the configuration for a command or a handler invocation and registers its secrets with
 * the log redactor before anything can be printed.
 */
import { registerSecrets } from '../log/redact';
import type { BdsConfig } from './types';
import { loadConfig } from './load';

/** Loads (and validates) the configuration from `path`, else BDS_CONFIG, else ./bds.config.yaml. */
export function loadRuntimeConfig(path?: string): BdsConfig {
  const loaded = loadConfig(path === undefined ? {} : { path });
  registerSecrets(loaded.secrets);
  return loaded.config;
}
