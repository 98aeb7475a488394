// Invariants of the contact policy on random mixes of playbooks, policies and events (fast-check): no
// candidate gets more than the budget, nothing a hold names is sent while a journey it waits for runs,
// exempt mail never waits for the budget, and the same inputs (state carried through JSON or not) decide
// the same. The simulator runs the interpreter the candidate's workflow runs; test/integration/
// contact-policy.test.ts shows the workflow deciding as the simulator does.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classOf,
  parseDuration,
  type ContactPolicy,
  type JourneyState,
  type PlaybookDefinition,
  type Step,
} from '../../src/interpreter/index.js';
import { simulate, type SimulatedEvent, type TimelineLine } from '../../src/simulate/simulate.js';
import { expressions } from '../helpers/simulation.js';

const START = Date.parse('2026-03-02T08:00:00Z');
const CLASSES = ['engage', 'events', 'nurture', 'marketing'] as const;
const STAGES = ['engage', 'hire', 'nurture', 'attract', 'discover'] as const;
const ENROLLING = ['candidate.rejected', 'candidate.applied', 'candidate.sourced'];
const EXITS = ['candidate.hired', 'candidate.withdrew'];

const policyArb: fc.Arbitrary<ContactPolicy> = fc
  .record({
    exempt: fc.subarray([...CLASSES]),
    maxHold: fc.array(fc.constantFrom(undefined, '0d', '2d', '20d'), { minLength: 4, maxLength: 4 }),
    budget: fc.record({ messages: fc.integer({ min: 1, max: 4 }), per: fc.constantFrom('1d', '7d', '30d') }),
    held: fc.subarray(['events', 'nurture', 'marketing']),
  })
  .map(({ exempt, maxHold, budget, held }) => ({
    classes: [
      { class: 'engage', stages: ['engage', 'hire'] },
      { class: 'events', playbooks: ['p3'] },
      { class: 'nurture', stages: ['nurture', 'discover'] },
      { class: 'marketing', stages: ['attract'] },
    ].map((c, i) => ({
      ...c,
      ...(exempt.includes(c.class as (typeof CLASSES)[number]) ? { exempt: true } : {}),
      ...(maxHold[i] ? { max_hold: maxHold[i] } : {}),
    })) as ContactPolicy['classes'],
    budget,
    ...(held.length ? { holds: [{ name: 'engage-first', hold: held, while: ['engage'] }] } : {}),
  }));

let ids = 0;
const duration = fc.oneof(
  fc.integer({ min: 1, max: 48 }).map((n) => `${n}h`),
  fc.integer({ min: 1, max: 20 }).map((n) => `${n}d`),
);
const stepArb: fc.Arbitrary<() => Step> = fc.oneof(
  fc.constant(() => ({ id: `s${++ids}`, send: 'hello' })),
  fc.constant(() => ({ id: `s${++ids}`, send: { template: 'hello', to: 'owner' as const } })),
  duration.map((d) => () => ({ wait: d })),
  fc.tuple(fc.integer({ min: 2, max: 5 }), duration).map(([times, every]) => () => ({
    repeat: { times, every, steps: [{ id: `s${++ids}`, send: 'hello' }] },
  })),
);
const playbookArb = (n: number): fc.Arbitrary<PlaybookDefinition> =>
  fc
    .record({
      stage: fc.constantFrom(...STAGES),
      on: fc.constantFrom(...ENROLLING),
      exit: fc.constantFrom(...EXITS),
      steps: fc.array(stepArb, { minLength: 1, maxLength: 6 }),
    })
    .map(({ stage, on, exit, steps }) => ({
      playbook: `p${n}`,
      stage,
      version: 1,
      enroll: { on: [on] },
      exit: { on: [exit] },
      steps: steps.map((f) => f()),
    }));

const eventsArb = fc.array(
  fc.record({
    at: fc.integer({ min: 0, max: 90 * 24 }).map((h) => new Date(START + h * 3_600_000).toISOString()),
    type: fc.constantFrom(...ENROLLING, ...EXITS),
  }),
  { maxLength: 6 },
);

const scenario = fc.record({
  policy: policyArb,
  playbooks: fc
    .integer({ min: 2, max: 4 })
    .chain((count) => fc.tuple(...Array.from({ length: count }, (_, i) => playbookArb(i)))),
  events: eventsArb,
  timezone: fc.constantFrom('UTC', 'Europe/Berlin', 'America/Los_Angeles'),
});
type Scenario = {
  policy: ContactPolicy;
  playbooks: PlaybookDefinition[];
  events: SimulatedEvent[];
  timezone: string;
};

function run(s: Scenario, carry?: (state: JourneyState) => JourneyState): TimelineLine[] {
  const [definition, ...others] = s.playbooks as [PlaybookDefinition, ...PlaybookDefinition[]];
  return simulate({
    definition,
    others,
    policy: s.policy,
    candidate: { id: 'c1', first_name: 'Ada', timezone: s.timezone, consent: { email: true, sms: false } },
    events: s.events,
    start: new Date(START).toISOString(),
    days: 120,
    expressions,
    ...(carry ? { carry } : {}),
  });
}

const classes = (s: Scenario) => new Map(s.playbooks.map((p) => [p.playbook, classOf(s.policy, p)] as const));
const toCandidate = (l: TimelineLine) => l.action === 'send' && l.to !== 'owner';
const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 400) };

describe('contact policy invariants', { timeout: 120_000 }, () => {
  it('never lets a candidate receive more than the budget', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const per = parseDuration(s.policy.budget!.per)!.ms;
        const classOfPlaybook = classes(s);
        const exempt = new Set(s.policy.classes.filter((c) => c.exempt).map((c) => c.class));
        const sent: number[] = [];
        for (const line of run(s).filter(toCandidate)) {
          const t = Date.parse(line.at);
          const counted = sent.filter((u) => u > t - per).length;
          // A message of a class the budget limits goes only while fewer than the budget were sent.
          if (!exempt.has(classOfPlaybook.get(String(line.playbook))!))
            expect(counted).toBeLessThan(s.policy.budget!.messages);
          sent.push(t);
        }
        // With no class exempt, no period ever holds more than the budget.
        if (exempt.size === 0)
          for (const t of sent)
            expect(sent.filter((u) => u > t - per && u <= t).length).toBeLessThanOrEqual(
              s.policy.budget!.messages,
            );
      }),
      RUNS,
    );
  });

  it('sends nothing a hold names while a journey it waits for runs', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const rule = s.policy.holds?.[0];
        if (!rule) return;
        const classOfPlaybook = classes(s);
        const running = new Set<string>();
        for (const line of run(s)) {
          const playbook = String(line.playbook);
          if (line.action === 'enroll' && line.step === undefined) running.add(playbook);
          if (line.action === 'exit') running.delete(playbook);
          if (!toCandidate(line) || !rule.hold.includes(classOfPlaybook.get(playbook)!)) continue;
          const blocking = [...running].filter(
            (p) => p !== playbook && rule.while.includes(classOfPlaybook.get(p)!),
          );
          expect(blocking).toEqual([]);
        }
      }),
      RUNS,
    );
  });

  it('never holds exempt mail for the budget, and says why it holds or drops anything', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const classOfPlaybook = classes(s);
        const exempt = new Set(s.policy.classes.filter((c) => c.exempt).map((c) => c.class));
        for (const line of run(s)) {
          if (line.action !== 'held' && !(line.action === 'suppressed' && line.reason === 'policy')) continue;
          expect(['budget', 'priority', 'engage-first']).toContain(line.rule);
          expect(line.class).toBe(classOfPlaybook.get(String(line.playbook)));
          if (exempt.has(String(line.class))) expect(['budget', 'priority']).not.toContain(line.rule);
        }
      }),
      RUNS,
    );
  });

  it('decides the same every time, with the state carried through JSON or not', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const plain = run(s);
        expect(run(s)).toEqual(plain);
        expect(run(s, (state) => JSON.parse(JSON.stringify(state)) as JourneyState)).toEqual(plain);
      }),
      { numRuns: Math.ceil(RUNS.numRuns / 4) },
    );
  });
});
