// Moving running journeys to another version of their playbook: by step name, keeping timers and loops,
// refusing what cannot be matched.
import { describe, expect, it } from 'vitest';
import {
  migrateJourney,
  startJourney,
  step,
  type JourneyState,
  type PlaybookDefinition,
  type Step,
  type StepContext,
} from '../../src/interpreter/index.js';
import { ada, expressions, MONDAY_9AM, playbook } from '../helpers/simulation.js';

const context: StepContext = { candidate: ada, sentAt: [], expressions };
const AT = '2026-01-06T09:00:00.000Z';

/** Starts a journey and completes its effects until it waits on a timer or an event. */
function atRest(definition: PlaybookDefinition): JourneyState {
  let { state, commands } = startJourney('j1', definition, MONDAY_9AM, context);
  for (let effect = commands.find((c) => ('iteration' in c)); effect;) {
    ({ state, commands } = step(
      state,
      { type: 'done', at: MONDAY_9AM, step: (effect as { step: string }).step },
      context,
    ));
    effect = commands.find((c) => 'iteration' in c);
  }
  return state;
}

const v1 = playbook([
  { id: 'hello', send: 'hello' },
  { id: 'pause', wait: '3d' },
  { id: 'follow-up', send: 'follow-up' },
]);

describe('migrating a journey', () => {
  it('moves a journey waiting at a step to the same step of the new version, keeping its timer', () => {
    const v2 = playbook(
      [
        { id: 'intro', send: 'intro' },
        { id: 'hello', send: 'hello' },
        { id: 'pause', wait: '5d' },
        { id: 'nudge', send: 'nudge' },
      ],
      { version: 2 },
    );
    const before = atRest(v1);
    expect(before.awaiting).toMatchObject({ kind: 'timer', step: 'pause' });
    const moved = migrateJourney(before, v2, AT);
    expect(moved.ok).toBe(true);
    if (!moved.ok) return;
    expect(moved.state.definition.version).toBe(2);
    expect(moved.state.frames).toEqual([{ list: ['steps'], pc: 2 }]);
    expect(moved.state.awaiting).toEqual(before.awaiting);
    // When the timer fires, the journey goes on with the new version's next step.
    const next = step(moved.state, { type: 'timer', at: '2026-01-08T09:00:00.000Z' }, context);
    expect(next.commands[0]).toMatchObject({ type: 'send', template: 'nudge' });
  });

  it('refuses a step the new version lacks, or one that became another kind of step', () => {
    const state = atRest(v1);
    const without = playbook([{ id: 'hello', send: 'hello' }], { version: 2 });
    expect(migrateJourney(state, without, AT)).toEqual({
      ok: false,
      reason: 'step pause is not in version 2',
    });
    const changed = playbook([{ id: 'pause', send: 'x' }], { version: 2 });
    expect(migrateJourney(state, changed, AT)).toEqual({
      ok: false,
      reason: 'step pause is a wait in version 1 but not in version 2',
    });
  });

  it('finds a waitFor inside a branch and keeps the loop count of the repeat around it', () => {
    const loop = (version: number, extra: Step[] = []) =>
      playbook(
        [
          {
            id: 'cycle',
            repeat: {
              times: 5,
              every: '30d',
              steps: [
                ...extra,
                {
                  id: 'gate',
                  if: 'true',
                  then: [{ id: 'listen', waitFor: { event: 'candidate.replied', timeout: '2d' } }],
                },
              ],
            },
          },
        ],
        { version },
      );
    let state = atRest(loop(1));
    expect(state.awaiting).toMatchObject({ kind: 'event', step: 'listen' });
    // Into the second iteration.
    state = step(state, { type: 'timer', at: '2026-01-07T09:00:00.000Z' }, context).state;
    state = step(state, { type: 'timer', at: '2026-02-04T09:00:00.000Z' }, context).state;
    expect(state.frames[1]!.loop!.index).toBe(1);
    const moved = migrateJourney(state, loop(2, [{ id: 'note', update: { tags: { add: ['x'] } } }]), AT);
    expect(moved.ok).toBe(true);
    if (!moved.ok) return;
    expect(moved.state.frames).toEqual([
      { list: ['steps'], pc: 0 },
      { list: ['steps', 0, 'repeat', 'steps'], pc: 2, loop: state.frames[1]!.loop },
      { list: ['steps', 0, 'repeat', 'steps', 1, 'then'], pc: 0 },
    ]);
    const replied = step(
      moved.state,
      {
        type: 'event',
        at: '2026-02-04T10:00:00.000Z',
        event: { id: 'e', type: 'candidate.replied', data: {} },
      },
      context,
    );
    expect(replied.commands).toContainEqual(expect.objectContaining({ type: 'record', what: 'received' }));
  });

  it('refuses a journey in the middle of an effect, and another playbook', () => {
    const busy = startJourney('j1', v1, MONDAY_9AM, context).state;
    expect(migrateJourney(busy, { ...v1, version: 2 }, AT)).toMatchObject({ ok: false });
    expect(migrateJourney(atRest(v1), { ...v1, playbook: 'other' }, AT)).toMatchObject({ ok: false });
  });
});
