/** Every handler by function name, as `serverless.yml` declares them (used by `bds invoke`). */
import type { BdsHandler } from '../lib/pipeline/handler';
import { handler as aggregate } from './aggregate';
import { handler as dispatcher } from './dispatcher';
import { handler as extractConfig } from './extract-config';
import { handler as extractGim } from './extract-gim';
import { handler as extractGvp } from './extract-gvp';
import { handler as upload } from './upload';
import { handler as worker } from './worker';

export const HANDLERS: Readonly<Record<string, BdsHandler>> = {
  'extract-gim': extractGim,
  'extract-config': extractConfig,
  'extract-gvp': extractGvp,
  aggregate,
  upload,
  dispatcher,
  worker,
};
