/** Extracts the agent login sessions of the requested days from Genesys Info Mart. */
import { createStageHandler } from '../lib/pipeline/handler';

export const handler = createStageHandler('extract-gim', { extract: ['gim'], aggregate: false });
