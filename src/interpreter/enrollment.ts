// Whether an event enrolls a subject into a playbook: its type, the playbook's `enroll.if`, and the
// re-entry rule against the subject's earlier journeys in that playbook.
import { addDuration, parseDuration } from './duration.js';
import type { JourneyEvent, PlaybookDefinition, StepContext } from './types.js';

export interface EnrollmentDecision {
  enroll: boolean;
  reason: 'enrolled' | 'other-event' | 'already-active' | 'reentry' | 'condition';
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
    const scope = { candidate: context.candidate, job: context.job, org: context.org ?? {}, event, now: at };
    const value = context.expressions.evaluate(definition.enroll.if, scope);
    if (value === false || value === null || value === undefined)
      return { enroll: false, reason: 'condition' };
  }
  return { enroll: true, reason: 'enrolled' };
}
