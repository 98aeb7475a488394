// Public surface of the pure interpreter.
export { startJourney, step, stepName, isOver, endJourney, JourneyError } from './step.js';
export { JourneyFailure, ExpressionFailure } from './failure.js';
export { parseDuration, addDuration, type Duration } from './duration.js';
export { nextWindowOpening, isValidTimezone } from './window.js';
export { nextSlotUnderCap } from './cap.js';
export type * from './types.js';
export { decideEnrollment, perKey, type EnrollmentDecision } from './enrollment.js';
export { migrateJourney, type Migration } from './migrate.js';
export { stepsByName } from './steps.js';
export { liquidScope, type ScopeParts } from './scope.js';
export {
  classOf,
  decideContact,
  ledgerOf,
  type ContactClass,
  type ContactLedger,
  type ContactPolicy,
  type ContactVerdict,
  type PolicyReason,
} from './policy.js';
export { orgScope, senderAddress, type NewsItem, type OrgContent } from './org.js';
