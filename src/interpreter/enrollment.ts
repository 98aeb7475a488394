// Whether an event enrolls a subject into a playbook: its type, the playbook's `enroll.if`, and the
// re-entry rule against the subject's earlier journeys in that playbook.
import { addDuration, parseDuration } from './duration.js';
import { liquidScope } from './scope.js';
import type { JourneyEvent, PlaybookDefinition, StepContext } from './types.js';

export interface EnrollmentDecision {
  enroll: boolean;
  reason: 'enrolled' | 'other-event' | 'already-active' | 'reentry' | 'condition' | 'condition-failed';
  /**
   * Set when `enroll.if` could not be evaluated: the subject is enrolled into a journey that fails at
   * once with this reason (startJourney's `failure`), so the failure is on the timeline, not lost.
   */
  failure?: string;
}

export function decideEnrollment(
  definition: PlaybookDefinition,
  event: JourneyEvent,
  at: string,
  context: StepContext,
  earlier: readonly { startedAt: string; active: boolean }[],
): EnrollmentDecision {
  if (!definition.enroll.on.includes(event.type)) return { enroll: false, reason: 'other-event' };
  if (earlier.some((j) => j.active)) return { enroll: false, reason: 'already-active' };
  const last = earlier
    .map((j) => j.startedAt)
    .sort()
    .at(-1);
  const reentry = definition.enroll.reentry ?? 'never';
  if (last !== undefined && reentry !== 'always') {
    const after = reentry === 'never' ? undefined : parseDuration(reentry.after);
    if (!after || addDuration(last, after) > at) return { enroll: false, reason: 'reentry' };
  }
  if (definition.enroll.if !== undefined) {
    const scope = liquidScope({
      candidate: context.candidate,
      job: context.job,
      org: context.org,
      event,
      now: at,
    });
    let value: unknown;
    try {
      value = context.expressions.evaluate(definition.enroll.if, scope);
    } catch (error) {
      const failure = `enroll.if: cannot evaluate "${definition.enroll.if}": ${(error as Error).message}`;
      return { enroll: true, reason: 'condition-failed', failure };
    }
    if (value === false || value === null || value === undefined)
      return { enroll: false, reason: 'condition' };
  }
  return { enroll: true, reason: 'enrolled' };
}
