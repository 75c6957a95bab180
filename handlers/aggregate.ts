/** Aggregates the staged datasets of the requested days into billing files (and monthly files on a month's last day). */
import { createStageHandler } from '../lib/pipeline/handler';

export const handler = createStageHandler('aggregate', { extract: false, aggregate: true });
