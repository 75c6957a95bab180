/**
 * The handlers by function name, each loaded only when asked for: `bds invoke extract-gim` must
 * not pay for loading the S3 and Lambda clients of `upload` and `dispatcher`.
 */
import type { BdsHandler, HandlerCatalogue } from '../lib/pipeline/handler';

const LOADERS: Readonly<Record<string, () => Promise<BdsHandler>>> = {
  'extract-gim': async () => (await import('./extract-gim')).handler,
  'extract-config': async () => (await import('./extract-config')).handler,
  'extract-gvp': async () => (await import('./extract-gvp')).handler,
  aggregate: async () => (await import('./aggregate')).handler,
  upload: async () => (await import('./upload')).handler,
  dispatcher: async () => (await import('./dispatcher')).handler,
  worker: async () => (await import('./worker')).handler,
};

/** The function names `serverless.yml` declares, in its order. */
export const FUNCTION_NAMES: readonly string[] = Object.keys(LOADERS);

/** Loads the handler of one function, or returns undefined for a name that is not one. */
export async function loadHandler(name: string): Promise<BdsHandler | undefined> {
  const load = Object.hasOwn(LOADERS, name) ? LOADERS[name] : undefined;
  return load === undefined ? undefined : load();
}

/** The catalogue the `bds` entry point gives the command line. */
export const HANDLER_CATALOGUE: HandlerCatalogue = { names: FUNCTION_NAMES, load: loadHandler };
