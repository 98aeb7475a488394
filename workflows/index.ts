// Every workflow the worker registers.
export { candidateWorkflow } from './candidate.js';
