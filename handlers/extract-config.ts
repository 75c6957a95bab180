/** Extracts what the requested days need from the Configuration Server database (agents' switches). */
import { createStageHandler } from '../lib/pipeline/handler';

export const handler = createStageHandler('extract-config', { extract: ['config'], aggregate: false });
