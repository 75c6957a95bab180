/** Extracts what the requested days need from the Configuration Server database: agents' switches, voicemail boxes. */
import { createStageHandler } from '../lib/pipeline/handler';

export const handler = createStageHandler('extract-config', { extract: ['config'], aggregate: false });
