// Builds playbooks and runs them through the simulator for interpreter tests.
import { createExpressions } from '../../src/expressions/liquid.js';
import type { PlaybookDefinition, Step } from '../../src/interpreter/index.js';
import { simulate, type SimulatedEvent, type TimelineLine } from '../../src/simulate/simulate.js';

export const expressions = createExpressions();
export const MONDAY_9AM = '2026-01-05T09:00:00.000Z';

export function playbook(steps: Step[], extra: Partial<PlaybookDefinition> = {}): PlaybookDefinition {
  return {
    playbook: 'test',
    stage: 'nurture',
    version: 1,
    enroll: { on: ['candidate.rejected'] },
    exit: { on: ['candidate.hired'] },
    steps,
    ...extra,
  };
}

export const ada = {
  id: 'c1',
  email: 'ada@example.com',
  first_name: 'Ada',
  timezone: 'UTC',
  tags: [],
  consent: { email: true, sms: false },
  unsubscribed_at: null,
};

export function run(
  definition: PlaybookDefinition,
  options: {
    candidate?: Record<string, unknown>;
    events?: SimulatedEvent[];
    start?: string;
    days?: number;
    channels?: Record<string, 'email' | 'sms'>;
  } = {},
): TimelineLine[] {
  return simulate({
    definition,
    candidate: options.candidate ?? ada,
    events: options.events ?? [],
    start: options.start ?? MONDAY_9AM,
    days: options.days ?? 365,
    expressions,
    ...(options.channels ? { channels: options.channels } : {}),
  });
}

/** The timeline without enrollment and incoming-event lines, as `at action step` triples and details. */
export function actions(lines: TimelineLine[]): string[] {
  return lines
    .filter((l) => l.action !== 'enroll' || l.step)
    .filter((l) => l.action !== 'event')
    .map(
      (l) =>
        `${l.at} ${l.action}${l.step ? ` ${l.step}` : ''}${l.action === 'exit' ? ` ${String(l.reason)}` : ''}`,
    );
}
