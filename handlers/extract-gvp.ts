/** Extracts IVR calls and ASR/TTS sessions of the requested days from each region's GVP Reporting Server. */
import { createStageHandler } from '../lib/pipeline/handler';

export const handler = createStageHandler('extract-gvp', { extract: ['gvp'], aggregate: false });
