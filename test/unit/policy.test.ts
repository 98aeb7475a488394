// The contact policy: the decision on its own, then through the simulator with several playbooks side by
// side (the same interpreter the candidate's workflow runs), then the file's validation with positions.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decideContact,
  type ContactLedger,
  type ContactPolicy,
  type PlaybookDefinition,
} from '../../src/interpreter/index.js';
import { validatePolicy } from '../../src/playbook/policy.js';
import { simulate, type TimelineLine } from '../../src/simulate/simulate.js';
import { ada, expressions, MONDAY_9AM, playbook } from '../helpers/simulation.js';

const POLICY: ContactPolicy = {
  classes: [
    { class: 'engage', stages: ['engage', 'hire'], exempt: true },
    { class: 'events', playbooks: ['meetup'], max_hold: '2d' },
    { class: 'nurture', stages: ['nurture'], max_hold: '30d' },
    { class: 'marketing', stages: ['attract'], max_hold: '0d' },
  ],
  budget: { messages: 2, per: '7d' },
  holds: [{ name: 'hiring-process-first', hold: ['nurture', 'marketing'], while: ['engage'] }],
};

const ledger = (over: Partial<ContactLedger> = {}): ContactLedger => ({
  sentAt: [],
  inFlight: 0,
  journeys: [],
  ...over,
});
const ask = (klass: string, at = MONDAY_9AM, zone = 'UTC') => ({ journey: 'me', class: klass, at, zone });

describe('deciding one send', () => {
  it('lets a send go under the budget', () => {
    expect(decideContact(POLICY, ask('nurture'), ledger({ sentAt: ['2026-01-01T09:00:00.000Z'] }))).toEqual({
      go: true,
      class: 'nurture',
    });
  });

  it('holds a send over the budget until the oldest message leaves the period', () => {
    const verdict = decideContact(
      POLICY,
      ask('nurture'),
      ledger({ sentAt: ['2026-01-01T10:00:00.000Z', '2026-01-04T10:00:00.000Z'] }),
    );
    expect(verdict).toMatchObject({
      go: false,
      rule: 'budget',
      until: '2026-01-08T10:00:00.000Z',
      drop: false,
    });
  });

  it('counts sends on their way as sent now', () => {
    const verdict = decideContact(POLICY, ask('nurture'), ledger({ sentAt: [MONDAY_9AM], inFlight: 1 }));
    expect(verdict).toMatchObject({ go: false, rule: 'budget', until: '2026-01-12T09:00:00.000Z' });
  });

  it('never holds an exempt class by the budget', () => {
    const full = ledger({ sentAt: [MONDAY_9AM, MONDAY_9AM, MONDAY_9AM] });
    expect(decideContact(POLICY, ask('engage'), full)).toMatchObject({ go: true });
  });

  it('holds nurture while another journey of the hiring process runs, and looks again daily', () => {
    const verdict = decideContact(
      POLICY,
      ask('nurture'),
      ledger({ journeys: [{ id: 'other', class: 'engage', waitsForBudget: false }] }),
    );
    expect(verdict).toMatchObject({ go: false, rule: 'hiring-process-first', reason: 'hold' });
    expect(verdict.go === false && verdict.until).toBe('2026-01-06T09:00:00.000Z');
  });

  it('drops a class with no patience at once, and another after its max_hold', () => {
    const engaged = ledger({ journeys: [{ id: 'other', class: 'engage', waitsForBudget: false }] });
    expect(decideContact(POLICY, ask('marketing'), engaged)).toMatchObject({ go: false, drop: true });
    const since = '2025-12-01T09:00:00.000Z';
    expect(decideContact(POLICY, { ...ask('nurture'), heldSince: since }, engaged)).toMatchObject({
      drop: true,
      rule: 'hiring-process-first',
    });
    // Not yet at its deadline: held until then at the latest.
    const recent = { ...ask('nurture'), heldSince: '2025-12-06T12:00:00.000Z' };
    expect(decideContact(POLICY, recent, engaged)).toMatchObject({
      drop: false,
      until: '2026-01-05T12:00:00.000Z',
    });
  });

  it('lets a higher class waiting for the budget go first', () => {
    const waiting = { journeys: [{ id: 'other', class: 'events', waitsForBudget: true }] };
    const verdict = decideContact(POLICY, ask('nurture'), ledger({ sentAt: [MONDAY_9AM], ...waiting }));
    expect(verdict).toMatchObject({ go: false, rule: 'priority', until: '2026-01-12T09:00:00.000Z' });
    // With room for both, both go.
    expect(decideContact(POLICY, ask('nurture'), ledger(waiting))).toMatchObject({ go: true });
    // A lower class waiting changes nothing for a higher one.
    const lower = ledger({ journeys: [{ id: 'other', class: 'marketing', waitsForBudget: true }] });
    expect(decideContact(POLICY, ask('events'), lower)).toMatchObject({ go: true });
  });

  it.each([
    [
      'inside a yearly period, in the candidate’s time zone',
      '12-24',
      '01-01',
      '2026-12-31T23:30:00.000Z',
      'Europe/Berlin',
      undefined,
    ],
    [
      'in the period’s last local day',
      '12-24',
      '01-01',
      '2026-12-31T23:30:00.000Z',
      'UTC',
      '2027-01-02T00:00:00.000Z',
    ],
    [
      'a period within the year',
      '08-01',
      '08-15',
      '2026-08-10T12:00:00.000Z',
      'America/New_York',
      '2026-08-16T04:00:00.000Z',
    ],
    [
      'a dated period',
      '2026-04-03',
      '2026-04-06',
      '2026-04-05T08:00:00.000Z',
      'UTC',
      '2026-04-07T00:00:00.000Z',
    ],
  ])('keeps quiet %s', (_name, from, to, at, zone, until) => {
    const policy: ContactPolicy = { ...POLICY, quiet: [{ name: 'break', from, to, classes: ['nurture'] }] };
    const verdict = decideContact(policy, ask('nurture', at, zone), ledger());
    // 23:30 UTC on 31 December is already 1 January in Berlin: quiet until the 2nd, local midnight.
    expect(verdict).toMatchObject({ go: false, rule: 'break', reason: 'quiet' });
    expect(verdict.go === false && verdict.until).toBe(until ?? '2027-01-01T23:00:00.000Z');
    expect(decideContact(policy, ask('engage', at, zone), ledger())).toMatchObject({ go: true });
  });

  it('is not quiet outside the period', () => {
    const policy: ContactPolicy = { ...POLICY, quiet: [{ name: 'break', from: '12-24', to: '01-01' }] };
    expect(decideContact(policy, ask('nurture', '2026-01-02T12:00:00.000Z'), ledger())).toMatchObject({
      go: true,
    });
  });
});

const DAY = 86_400_000;
const day = (n: number, hour = 9) =>
  new Date(Date.parse(MONDAY_9AM) + n * DAY + (hour - 9) * 3_600_000).toISOString();

function runAll(definitions: PlaybookDefinition[], events: { at: string; type: string }[] = [], days = 60) {
  const [definition, ...others] = definitions as [PlaybookDefinition, ...PlaybookDefinition[]];
  return simulate({
    definition,
    others,
    policy: POLICY,
    candidate: ada,
    events,
    start: MONDAY_9AM,
    days,
    expressions,
  });
}
const pick = (lines: TimelineLine[], action: string) =>
  lines
    .filter((l) => l.action === action)
    .map((l) => ({ at: l.at, playbook: l.playbook, step: l.step, rule: l.rule }));

describe('the policy across playbooks, in the simulator', () => {
  const weekly = (id: string, stage: PlaybookDefinition['stage'], times = 3) =>
    playbook([{ repeat: { every: '1d', times, steps: [{ id: `${id}-mail`, send: 'hello' }] } }], {
      playbook: id,
      stage,
      enroll: { on: ['candidate.rejected'] },
    });

  it('spreads three playbooks’ mail under one budget', () => {
    const lines = runAll([weekly('news', 'nurture'), weekly('promo', 'attract')]);
    const sent = pick(lines, 'send').map((s) => s.at);
    for (const t of sent) {
      const recent = sent.filter((u) => u <= t && Date.parse(u) > Date.parse(t) - 7 * DAY);
      expect(recent.length).toBeLessThanOrEqual(2);
    }
    // Marketing has no patience (max_hold 0d): what the budget holds is dropped, and recorded with its rule.
    expect(pick(lines, 'suppressed').filter((s) => s.playbook === 'promo').length).toBeGreaterThan(0);
    expect(lines.find((l) => l.action === 'suppressed')).toMatchObject({ reason: 'policy' });
    // Nurture outranks marketing: while a nurture send waits for the budget, marketing yields to it.
    expect(new Set(pick(lines, 'suppressed').map((s) => s.rule))).toEqual(new Set(['priority']));
  });

  it('holds nurture while the hiring process runs, then under the budget its mail used', () => {
    const interview = playbook(
      [{ id: 'invite', send: 'hello' }, { wait: '5d' }, { id: 'thanks', send: 'hello' }],
      { playbook: 'interview', stage: 'engage' },
    );
    const news = playbook([{ id: 'news', send: 'hello' }], { playbook: 'news', stage: 'nurture' });
    const lines = runAll([interview, news]);
    // Released the moment the interview journey ends, not at the next daily look; then the budget
    // (2 in 7 days, which the exempt interview mail counts against) holds it two more days.
    expect(pick(lines, 'held')).toEqual([
      { at: MONDAY_9AM, playbook: 'news', step: 'news', rule: 'hiring-process-first' },
      { at: day(5), playbook: 'news', step: 'news', rule: 'budget' },
    ]);
    expect(pick(lines, 'send').map((s) => [s.playbook, s.at])).toEqual([
      ['interview', MONDAY_9AM],
      ['interview', day(5)],
      ['news', day(7)],
    ]);
  });

  it('drops held nurture after its max_hold and goes on with the journey', () => {
    const long = playbook([{ id: 'offer', send: 'hello' }, { wait: '45d' }], {
      playbook: 'offer',
      stage: 'engage',
    });
    const news = playbook(
      [
        { id: 'news', send: 'hello' },
        { id: 'after', task: { title: 'follow up' } },
      ],
      { playbook: 'news', stage: 'nurture' },
    );
    const lines = runAll([long, news]);
    expect(pick(lines, 'suppressed')).toEqual([
      { at: day(30), playbook: 'news', step: 'news', rule: 'hiring-process-first' },
    ]);
    expect(lines.find((l) => l.action === 'task')).toMatchObject({ at: day(30), playbook: 'news' });
  });

  it('an exit event ends the hiring process and releases what it held', () => {
    const interview = playbook([{ id: 'invite', send: 'hello' }, { wait: '20d' }], {
      playbook: 'interview',
      stage: 'engage',
      exit: { on: ['candidate.withdrew'] },
    });
    const news = playbook([{ id: 'news', send: 'hello' }], { playbook: 'news', stage: 'nurture' });
    const lines = runAll([interview, news], [{ at: day(2, 15), type: 'candidate.withdrew' }]);
    expect(pick(lines, 'send').map((s) => [s.playbook, s.at])).toEqual([
      ['interview', MONDAY_9AM],
      ['news', day(2, 15)],
    ]);
  });

  it('decides the same with the journey state carried through JSON at every step', () => {
    const all = [weekly('news', 'nurture', 5), weekly('promo', 'attract', 5), weekly('meetup', 'attract', 5)];
    const plain = runAll(all);
    const [definition, ...others] = all as [PlaybookDefinition, ...PlaybookDefinition[]];
    const carried = simulate({
      definition,
      others,
      policy: POLICY,
      candidate: ada,
      start: MONDAY_9AM,
      days: 60,
      expressions,
      carry: (s) => JSON.parse(JSON.stringify(s)) as typeof s,
    });
    expect(carried).toEqual(plain);
  });
});

describe('policy.yaml', () => {
  async function check(text: string, playbooks = new Set(['meetup'])) {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'policy-'));
    await fs.writeFile(path.join(dir, 'policy.yaml'), text);
    const result = await validatePolicy(dir, playbooks);
    await fs.rm(dir, { recursive: true });
    return result.errors.map((e) => e.message.replace(`${dir}/`, ''));
  }

  it('accepts the shipped policy', async () => {
    const result = await validatePolicy(
      path.resolve('pipelines'),
      new Set(['attract-event-rsvp', 'attract-event-follow-up']),
    );
    expect(result.errors).toEqual([]);
    expect(result.policy?.classes.map((c) => c.class)).toEqual(['engage', 'events', 'nurture', 'marketing']);
  });

  it('names each problem with its line and column', async () => {
    const rules = [
      'holds:',
      '  - name: first',
      '    hold: [nurture, marketing]',
      '    while: [engage]',
      'quiet:',
      '  - name: break',
      '    from: "02-30"',
      '    to: "2027-01-02"',
    ];
    const classes = [
      'classes:',
      '  - class: engage',
      '  - class: nurture',
      '    playbooks: [meetup, newsletter]',
    ];
    // The schema first: nothing else is checked until it holds.
    const errors = await check([...classes, 'budget: { messages: 0, per: 7d }', ...rules].join('\n'));
    expect(errors).toEqual(['policy.yaml:5:21: must be >= 1 (at /budget/messages)']);
    const meaning = await check([...classes, ...rules].join('\n'));
    expect(meaning).toEqual([
      'policy.yaml:4:25: unknown playbook "newsletter"; name a file in the pipelines folder (at /classes/1/playbooks/1)',
      'policy.yaml:7:21: unknown class "marketing"; use one of engage, nurture (at /holds/0/hold/1)',
      'policy.yaml:11:11: 02-30 is not a date (at /quiet/0/from)',
      'policy.yaml:12:9: write both dates the same way: MM-DD (every year) or YYYY-MM-DD (once) (at /quiet/0/to)',
    ]);
  });

  it('refuses an unknown field', async () => {
    expect(await check('classes:\n  - class: engage\n    priority: 1\n')).toEqual([
      'policy.yaml:3:15: "priority" is not a known field (at /classes/0/priority)',
    ]);
  });
});
