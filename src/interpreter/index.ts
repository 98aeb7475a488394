// Public surface of the pure interpreter.
export { startJourney, step, stepPath } from './step.js';
export { parseDuration, addDuration, type Duration } from './duration.js';
export type * from './types.js';
