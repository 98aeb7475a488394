// The workflows of the journeys benchmark's worker: Rapport's candidate workflow and its hand-written
// baseline, in one bundle so both run on the same worker with the same settings.
export { candidateWorkflow } from '../../../workflows/candidate.js';
export { handWrittenJourney } from './hand-written.js';
