// Invariants of the interpreter, checked on random playbooks, candidates and events (fast-check):
// no send after exit, none outside the window, none over the cap, none after unsubscribing; the same
// inputs give the same timeline; a JSON round trip of the state at every step changes nothing.
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  parseDuration,
  type JourneyState,
  type PlaybookDefinition,
  type Step,
} from '../../src/interpreter/index.js';
import { simulate, type SimulatedEvent, type TimelineLine } from '../../src/simulate/simulate.js';
import { expressions } from '../helpers/simulation.js';

const ZONES = [
  'UTC',
  'Europe/Paris',
  'America/New_York',
  'Asia/Kolkata',
  'Australia/Sydney',
  'America/Sao_Paulo',
];
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const EVENT_TYPES = [
  'candidate.replied',
  'candidate.open_to_work',
  'candidate.hired',
  'candidate.unsubscribed',
  'candidate.clicked',
];
const START = Date.parse('2026-01-01T00:00:00Z');

const duration = fc.oneof(
  fc.integer({ min: 1, max: 48 }).map((n) => `${n}h`),
  fc.integer({ min: 1, max: 60 }).map((n) => `${n}d`),
  fc.integer({ min: 1, max: 3 }).map((n) => `P${n}M`),
);

let ids = 0;
const id = () => `s${++ids}`;

const leaf: fc.Arbitrary<() => Step> = fc.oneof(
  fc.constant(() => ({ id: id(), send: 'hello' })),
  fc.constant(() => ({ id: id(), send: { template: 'hello', channel: 'sms' as const } })),
  duration.map((d) => () => ({ wait: d })),
  fc.constantFrom('warm', 'cold').map((tag) => () => ({ update: { tags: { add: [tag] } } })),
  fc.constant(() => ({ id: id(), task: { title: 'Call {{ candidate.first_name }}' } })),
);

const stepsArb: fc.Arbitrary<() => Step[]> = fc.letrec<{ steps: () => Step[]; step: () => Step }>((tie) => ({
  step: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc
      .tuple(tie('steps'), tie('steps'))
      .map(([a, b]) => () => ({ if: 'candidate.tags contains "warm"', then: a(), else: b() })),
    fc
      .tuple(fc.constantFrom(...EVENT_TYPES), duration, tie('steps'), tie('steps'))
      .map(([event, timeout, a, b]) => () => ({
        id: id(),
        waitFor: { event, timeout },
        then: a(),
        else: b(),
      })),
    fc.tuple(fc.integer({ min: 1, max: 4 }), duration, tie('steps')).map(([times, every, body]) => () => ({
      repeat: { times, every, steps: body() },
    })),
  ),
  steps: fc
    .array(tie('step') as fc.Arbitrary<() => Step>, { minLength: 1, maxLength: 5 })
    .map((list) => () => list.map((f) => f())),
})).steps;

const windowArb = fc
  .record({
    days: fc.subarray([...DAYS], { minLength: 1 }),
    from: fc.integer({ min: 0, max: 20 }),
    length: fc.integer({ min: 1, max: 8 }),
  })
  .map(({ days, from, length }) => ({
    days,
    from: `${String(from).padStart(2, '0')}:00`,
    to: `${String(Math.min(24, from + length)).padStart(2, '0')}:00`,
  }));

const playbookArb = fc
  .record({
    steps: stepsArb,
    window: fc.option(windowArb, { nil: undefined }),
    cap: fc.option(
      fc.record({ messages: fc.integer({ min: 1, max: 3 }), per: fc.constantFrom('1d', '7d', '30d') }),
      { nil: undefined },
    ),
  })
  .map(({ steps, window, cap }): PlaybookDefinition => {
    ids = 0;
    return {
      playbook: 'random',
      stage: 'nurture',
      version: 1,
      enroll: { on: ['candidate.rejected'] },
      exit: { on: ['candidate.hired'] },
      sending: {
        ...(window ? { window: { ...window, timezone: 'candidate' } } : {}),
        ...(cap ? { cap } : {}),
      },
      steps: steps(),
    };
  });

const candidateArb = fc.record({
  id: fc.constant('c1'),
  first_name: fc.constantFrom('Ada', 'Grace'),
  timezone: fc.constantFrom(...ZONES),
  tags: fc.subarray(['warm', 'vip']),
  consent: fc.record({ email: fc.boolean(), sms: fc.boolean() }),
  unsubscribed_at: fc.constant(null),
});

const eventsArb = fc.array(
  fc.record({
    at: fc.integer({ min: 0, max: 365 * 24 }).map((h) => new Date(START + h * 3_600_000).toISOString()),
    type: fc.constantFrom(...EVENT_TYPES),
  }),
  { maxLength: 6 },
);

const scenario = fc.record({ definition: playbookArb, candidate: candidateArb, events: eventsArb });
type Scenario = {
  definition: PlaybookDefinition;
  candidate: Record<string, unknown>;
  events: SimulatedEvent[];
};

function run(s: Scenario, carry?: (state: JourneyState) => JourneyState): TimelineLine[] {
  return simulate({
    definition: s.definition,
    candidate: s.candidate,
    events: s.events,
    start: new Date(START).toISOString(),
    days: 365,
    expressions,
    ...(carry ? { carry } : {}),
  });
}

const sends = (lines: TimelineLine[]) => lines.filter((l) => l.action === 'send');
const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 1000) };

describe('interpreter invariants', { timeout: 120_000 }, () => {
  it('never sends after the journey exited', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const lines = run(s);
        const exit = lines.findIndex((l) => l.action === 'exit');
        expect(exit === -1 ? [] : sends(lines.slice(exit))).toEqual([]);
      }),
      RUNS,
    );
  });

  it('never sends outside the sending window, in the candidate’s time zone', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const window = s.definition.sending?.window;
        if (!window) return;
        for (const send of sends(run(s))) {
          const local = DateTime.fromISO(send.at, { zone: 'utc' }).setZone(String(s.candidate.timezone));
          const minutes = local.hour * 60 + local.minute;
          const [fh, fm] = window.from.split(':').map(Number) as [number, number];
          const [th, tm] = window.to.split(':').map(Number) as [number, number];
          expect(window.days).toContain(DAYS[local.weekday - 1]);
          expect(minutes).toBeGreaterThanOrEqual(fh * 60 + fm);
          expect(minutes).toBeLessThan(th * 60 + tm);
        }
      }),
      RUNS,
    );
  });

  it('never sends more than the cap allows in any period', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const cap = s.definition.sending?.cap;
        if (!cap) return;
        const per = parseDuration(cap.per)!.ms;
        const times = sends(run(s))
          .filter((l) => l.channel === 'email' || l.channel === 'sms')
          .map((l) => Date.parse(l.at));
        for (const t of times) {
          expect(times.filter((u) => u > t - per && u <= t).length).toBeLessThanOrEqual(cap.messages);
        }
      }),
      RUNS,
    );
  });

  it('never sends without consent or after unsubscribing', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const lines = run(s);
        const consent = s.candidate.consent;
        for (const send of sends(lines)) expect(consent[send.channel as 'email' | 'sms']).toBe(true);
        const unsubscribed = s.events
          .filter((e) => e.type === 'candidate.unsubscribed')
          .map((e) => e.at)
          .sort()[0];
        if (unsubscribed) expect(sends(lines).filter((l) => l.at >= unsubscribed)).toEqual([]);
      }),
      RUNS,
    );
  });

  it('gives the same timeline for the same inputs', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        expect(run(s)).toEqual(run(s));
      }),
      { numRuns: 100 },
    );
  });

  it('gives the same future when the state is serialised and resumed at every step', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const roundTrip = (state: JourneyState) => JSON.parse(JSON.stringify(state)) as JourneyState;
        expect(run(s, roundTrip)).toEqual(run(s));
      }),
      { numRuns: 100 },
    );
  });
});
