import { describe, expect, it } from 'vitest';
import {
  addDuration,
  parseDuration,
  startJourney,
  step,
  type JourneyState,
  type PlaybookDefinition,
} from '../../src/interpreter/index.js';

const playbook: PlaybookDefinition = {
  playbook: 'demo',
  stage: 'engage',
  version: 1,
  enroll: { on: ['candidate.applied'] },
  exit: { on: ['candidate.hired'] },
  steps: [
    { id: 'hello', send: 'hello' },
    { wait: '3d' },
    { id: 'follow-up', send: { template: 'follow-up', channel: 'email' } },
  ],
};
const T0 = '2026-01-05T09:00:00.000Z';

describe('the interpreter', () => {
  it('runs sends and waits in order, then completes', () => {
    let r = startJourney('j1', playbook, T0);
    expect(r.commands).toEqual([
      { type: 'send', step: 'hello', iteration: 0, template: 'hello', channel: 'email' },
    ]);
    r = step(r.state, { type: 'sent', at: T0, step: 'hello', outcome: 'sent' });
    expect(r.commands).toEqual([{ type: 'sleep', step: '#2', until: '2026-01-08T09:00:00.000Z' }]);
    expect(step(r.state, { type: 'timer', at: '2026-01-07T09:00:00.000Z' }).commands).toEqual([]);
    r = step(r.state, { type: 'timer', at: '2026-01-08T09:00:00.000Z' });
    expect(r.commands).toEqual([
      { type: 'send', step: 'follow-up', iteration: 0, template: 'follow-up', channel: 'email' },
    ]);
    r = step(r.state, { type: 'sent', at: '2026-01-08T09:00:01.000Z', step: 'follow-up', outcome: 'sent' });
    expect(r.commands).toEqual([{ type: 'end', status: 'completed', reason: 'completed' }]);
    expect(r.state.status).toBe('completed');
  });

  it('ends the journey at once on an exit event, even mid-wait, and ignores inputs after that', () => {
    let r = startJourney('j1', playbook, T0);
    r = step(r.state, { type: 'sent', at: T0, step: 'hello', outcome: 'sent' });
    r = step(r.state, { type: 'event', at: T0, event: { id: 'e2', type: 'candidate.hired' } });
    expect(r.commands).toEqual([{ type: 'end', status: 'exited', reason: 'candidate.hired' }]);
    expect(step(r.state, { type: 'timer', at: '2027-01-01T00:00:00.000Z' }).commands).toEqual([]);
  });

  it('ignores events that are not exit events', () => {
    const r = startJourney('j1', playbook, T0);
    const next = step(r.state, { type: 'event', at: T0, event: { id: 'e2', type: 'candidate.replied' } });
    expect(next.commands).toEqual([]);
    expect(next.state).toEqual(r.state);
  });

  it('stops at an exit step with its reason', () => {
    const r = startJourney(
      'j',
      { ...playbook, steps: [{ exit: 'not-needed' }, { id: 'never', send: 'x' }] },
      T0,
    );
    expect(r.commands).toEqual([{ type: 'end', status: 'exited', reason: 'not-needed' }]);
  });

  it('does not change the state it is given', () => {
    const r = startJourney('j1', playbook, T0);
    const frozen = JSON.stringify(r.state);
    step(r.state, { type: 'sent', at: T0, step: 'hello', outcome: 'sent' });
    expect(JSON.stringify(r.state)).toBe(frozen);
  });

  it('gives the same future after a JSON round trip of the state at any point', () => {
    const inputs = [
      { type: 'sent', at: T0, step: 'hello', outcome: 'sent' },
      { type: 'timer', at: '2026-01-08T09:00:00.000Z' },
      { type: 'sent', at: '2026-01-08T09:00:00.000Z', step: 'follow-up', outcome: 'sent' },
    ] as const;
    for (let cut = 0; cut <= inputs.length; cut++) {
      let direct = startJourney('j1', playbook, T0);
      let resumed = direct;
      const directCommands: unknown[] = [];
      const resumedCommands: unknown[] = [];
      inputs.forEach((input, i) => {
        direct = step(direct.state, input);
        directCommands.push(direct.commands);
        const state = i === cut ? (JSON.parse(JSON.stringify(resumed.state)) as JourneyState) : resumed.state;
        resumed = step(state, input);
        resumedCommands.push(resumed.commands);
      });
      expect(resumedCommands).toEqual(directCommands);
      expect(resumed.state).toEqual(direct.state);
    }
  });
});

describe('durations', () => {
  it.each([
    ['90m', { months: 0, ms: 90 * 60_000 }],
    ['12h', { months: 0, ms: 12 * 3_600_000 }],
    ['3d', { months: 0, ms: 3 * 86_400_000 }],
    ['2w', { months: 0, ms: 14 * 86_400_000 }],
    ['P1M', { months: 1, ms: 0 }],
    ['P1Y2M3DT4H', { months: 14, ms: 3 * 86_400_000 + 4 * 3_600_000 }],
    ['PT30M', { months: 0, ms: 30 * 60_000 }],
  ])('parses %s', (text, expected) => {
    expect(parseDuration(text)).toEqual(expected);
  });

  it.each(['', '3', 'three days', '3x', 'P', 'PT', '-3d'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('adds calendar months, ending on the last day of a shorter month', () => {
    expect(addDuration('2026-01-31T09:00:00.000Z', parseDuration('P1M')!)).toBe('2026-02-28T09:00:00.000Z');
    expect(addDuration('2026-01-15T09:00:00.000Z', parseDuration('P1Y')!)).toBe('2027-01-15T09:00:00.000Z');
    expect(addDuration('2026-03-10T09:00:00.000Z', parseDuration('2w')!)).toBe('2026-03-24T09:00:00.000Z');
  });
});
