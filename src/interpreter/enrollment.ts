// Whether an event enrolls a subject into a playbook: its type, the playbook's `enroll.if`, and the
// re-entry rule against the subject's earlier journeys in that playbook.
import { JourneyFailure } from './failure.js';
import { addDuration, parseDuration } from './duration.js';
import { liquidScope } from './scope.js';
import type { JourneyEvent, JourneyState, PlaybookDefinition, StepContext } from './types.js';

/**
 * The value an event carries at the playbook's `enroll.per` path (e.g. the recruiting event it is about),
 * as text; undefined when the playbook has no `per` or the event carries no such value.
 */
export function perKey(
  definition: Pick<PlaybookDefinition, 'enroll'>,
  event: Pick<JourneyEvent, 'data'> | undefined,
): string | undefined {
  const path = definition.enroll.per;
  if (!path || !event) return undefined;
  let value: unknown = event;
  for (const name of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** Whether an event is about another value of the playbook's `per` than the journey is (it leaves it alone). */
export function aboutAnother(journey: Pick<JourneyState, 'definition' | 'key'>, event: JourneyEvent) {
  const key = perKey(journey.definition, event);
  return journey.key !== undefined && key !== undefined && key !== journey.key;
}

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
  /** The subject's journeys in this playbook (with `per`: those about the same value as the event). */
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
      if (!(error instanceof JourneyFailure)) throw error; // a bug: the workflow task fails, and is retried
      const failure = `enroll.if: cannot evaluate "${definition.enroll.if}": ${error.message}`;
      return { enroll: true, reason: 'condition-failed', failure };
    }
    if (value === false || value === null || value === undefined)
      return { enroll: false, reason: 'condition' };
  }
  return { enroll: true, reason: 'enrolled' };
}
