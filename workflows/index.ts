// Every workflow the worker registers.
export { candidateWorkflow } from './candidate.js';
export { jobWorkflow } from './job.js';
export { sourcePayloadWorkflow } from './source-payload.js';
export { campaignWorkflow } from './campaign.js';
export { sendAgainWorkflow } from './send-again.js';
