// Every verb and rule of the playbook language, run through the pure interpreter on a virtual clock.
import { describe, expect, it } from 'vitest';
import {
  addDuration,
  ExpressionFailure,
  parseDuration,
  startJourney,
  step,
  type JourneyState,
  type StepContext,
} from '../../src/interpreter/index.js';
import { actions, ada, expressions, MONDAY_9AM, playbook, run } from '../helpers/simulation.js';

describe('send and wait', () => {
  it('runs sends and waits in order, then completes', () => {
    const lines = run(
      playbook([
        { id: 'hello', send: 'hello' },
        { wait: '3d' },
        { id: 'follow-up', send: { template: 'follow-up' } },
      ]),
    );
    expect(actions(lines)).toEqual([
      '2026-01-05T09:00:00.000Z send hello',
      '2026-01-08T09:00:00.000Z send follow-up',
      '2026-01-08T09:00:00.000Z exit completed',
    ]);
  });

  it('waits until the date an expression gives', () => {
    const lines = run(
      playbook([{ wait: { until: 'candidate.custom.interview_at' } }, { id: 'reminder', send: 'r' }]),
      {
        candidate: { ...ada, custom: { interview_at: '2026-02-01T08:00:00Z' } },
      },
    );
    expect(actions(lines)[0]).toBe('2026-02-01T08:00:00.000Z send reminder');
  });

  it.each([
    ['unsubscribed', { ...ada, unsubscribed_at: '2025-12-01T00:00:00Z' }],
    ['no-consent', { ...ada, consent: { email: false } }],
  ])('suppresses a send (%s) and records it, then goes on', (reason, candidate) => {
    const lines = run(
      playbook([
        { id: 'hello', send: 'hello' },
        { id: 'task', task: { title: 'call' } },
      ]),
      { candidate },
    );
    expect(lines.filter((l) => l.action === 'suppressed')).toEqual([
      { at: MONDAY_9AM, action: 'suppressed', step: 'hello', reason, template: 'hello', channel: 'email' },
    ]);
    expect(lines.some((l) => l.action === 'task')).toBe(true);
  });

  it('checks sms consent for sms sends', () => {
    const lines = run(playbook([{ id: 'text', send: { template: 'hello', channel: 'sms' } }]));
    expect(lines.find((l) => l.step === 'text')).toMatchObject({
      action: 'suppressed',
      reason: 'no-consent',
      channel: 'sms',
    });
  });
});

describe('sending window', () => {
  const window = {
    days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const,
    from: '09:00',
    to: '17:30',
    timezone: 'candidate',
  };
  const windowed = (steps = [{ id: 'hello', send: 'hello' }]) =>
    playbook(steps, { sending: { window: { ...window, days: [...window.days] } } });

  it('waits for the window to open in the candidate’s timezone', () => {
    // Saturday 10:00 in Paris → Monday 09:00 Paris (08:00 UTC in winter).
    const lines = run(windowed(), {
      start: '2026-01-10T09:00:00.000Z',
      candidate: { ...ada, timezone: 'Europe/Paris' },
    });
    expect(lines.filter((l) => l.step === 'hello')).toEqual([
      {
        at: '2026-01-10T09:00:00.000Z',
        action: 'wait',
        step: 'hello',
        until: '2026-01-12T08:00:00.000Z',
        reason: 'window',
      },
      { at: '2026-01-12T08:00:00.000Z', action: 'send', step: 'hello', template: 'hello', channel: 'email' },
    ]);
  });

  it('follows daylight-saving changes', () => {
    // Sunday 29 March 2026: Paris moves to UTC+2, so Monday 09:00 is 07:00 UTC.
    const lines = run(windowed(), {
      start: '2026-03-28T12:00:00.000Z',
      candidate: { ...ada, timezone: 'Europe/Paris' },
    });
    expect(lines.find((l) => l.action === 'send')?.at).toBe('2026-03-30T07:00:00.000Z');
    // New York moved on 8 March: a send at 20:00 UTC on Friday 6 March (15:00 EST) goes out at once...
    const ny = { ...ada, timezone: 'America/New_York' };
    expect(
      run(windowed(), { start: '2026-03-06T20:00:00.000Z', candidate: ny }).find((l) => l.action === 'send')
        ?.at,
    ).toBe('2026-03-06T20:00:00.000Z');
    // ...and one at 22:00 UTC (17:00 EST, still open until 17:30) too, while Monday's opening is 13:00 UTC (EDT).
    expect(
      run(windowed(), { start: '2026-03-06T22:31:00.000Z', candidate: ny }).find((l) => l.action === 'send')
        ?.at,
    ).toBe('2026-03-09T13:00:00.000Z');
  });

  it('sends at once inside the window', () => {
    expect(run(windowed()).find((l) => l.action === 'send')?.at).toBe(MONDAY_9AM);
  });

  it('uses the playbook’s timezone when the candidate has none, else UTC', () => {
    const noZone = { ...ada, timezone: null };
    const def = { ...windowed(), timezone: 'Asia/Tokyo' };
    // Monday 09:00 UTC is 18:00 in Tokyo: closed, opens Tuesday 09:00 JST = 00:00 UTC.
    expect(run(def, { candidate: noZone }).find((l) => l.action === 'send')?.at).toBe(
      '2026-01-06T00:00:00.000Z',
    );
    expect(run(windowed(), { candidate: noZone }).find((l) => l.action === 'send')?.at).toBe(MONDAY_9AM);
  });
});

describe('frequency cap', () => {
  it('holds a send over the cap until it fits', () => {
    const def = playbook(
      [
        { id: 'a', send: 'a' },
        { id: 'b', send: 'b' },
        { id: 'c', send: 'c' },
      ],
      { sending: { cap: { messages: 2, per: '7d' } } },
    );
    expect(actions(run(def))).toEqual([
      '2026-01-05T09:00:00.000Z send a',
      '2026-01-05T09:00:00.000Z send b',
      '2026-01-05T09:00:00.000Z wait c',
      '2026-01-12T09:00:00.000Z send c',
      '2026-01-12T09:00:00.000Z exit completed',
    ]);
  });
});

describe('waitFor', () => {
  const def = playbook([
    { id: 'ask', send: 'ask' },
    {
      id: 'answer',
      waitFor: { event: ['candidate.open_to_work', 'candidate.not_looking'], timeout: '21d' },
      then: [
        {
          if: "event.type == 'candidate.open_to_work'",
          then: [
            { update: { set: { employment_status: 'open' }, tags: { add: ['warm'] } } },
            { id: 'call', task: { title: '{{ candidate.first_name }} is open to work — call', due: '2d' } },
          ],
          else: [{ update: { set: { employment_status: 'employed' } } }],
        },
      ],
      else: [{ update: { tags: { add: ['unresponsive'] } } }],
    },
  ]);

  it('takes `then` when the event comes, with the event in scope', () => {
    const lines = run(def, { events: [{ at: '2026-01-10T12:00:00.000Z', type: 'candidate.open_to_work' }] });
    expect(lines.filter((l) => ['received', 'branch', 'update', 'task'].includes(l.action))).toEqual([
      { at: '2026-01-10T12:00:00.000Z', action: 'received', step: 'answer', event: 'candidate.open_to_work' },
      {
        at: '2026-01-10T12:00:00.000Z',
        action: 'branch',
        step: 'steps/1/then/0',
        if: "event.type == 'candidate.open_to_work'",
        value: true,
        taken: 'then',
      },
      {
        at: '2026-01-10T12:00:00.000Z',
        action: 'update',
        step: 'steps/1/then/0/then/0',
        set: { employment_status: 'open' },
        tags: { add: ['warm'] },
      },
      {
        at: '2026-01-10T12:00:00.000Z',
        action: 'task',
        step: 'call',
        title: 'Ada is open to work — call',
        assignee: 'unassigned',
        due: '2026-01-12T12:00:00.000Z',
      },
    ]);
  });

  it('takes the other branch for the other event', () => {
    const lines = run(def, { events: [{ at: '2026-01-10T12:00:00.000Z', type: 'candidate.not_looking' }] });
    expect(lines.find((l) => l.action === 'update')).toMatchObject({
      set: { employment_status: 'employed' },
    });
  });

  it('takes `else` on timeout', () => {
    const lines = run(def);
    expect(lines.filter((l) => ['timeout', 'update'].includes(l.action))).toEqual([
      {
        at: '2026-01-26T09:00:00.000Z',
        action: 'timeout',
        step: 'answer',
        waited_for: ['candidate.open_to_work', 'candidate.not_looking'],
      },
      {
        at: '2026-01-26T09:00:00.000Z',
        action: 'update',
        step: 'steps/1/else/0',
        tags: { add: ['unresponsive'] },
      },
    ]);
  });

  it('ignores events that do not meet its condition', () => {
    const conditional = playbook([
      {
        id: 'reply',
        waitFor: { event: 'candidate.replied', if: "event.data.sentiment == 'positive'", timeout: '7d' },
        then: [{ exit: 'replied' }],
      },
    ]);
    const lines = run(conditional, {
      events: [
        { at: '2026-01-06T09:00:00.000Z', type: 'candidate.replied', data: { sentiment: 'negative' } },
        { at: '2026-01-07T09:00:00.000Z', type: 'candidate.replied', data: { sentiment: 'positive' } },
      ],
    });
    expect(actions(lines).at(-1)).toBe('2026-01-07T09:00:00.000Z exit replied');
  });
});

describe('if', () => {
  it.each([
    ['candidate.tags contains "vip"', ['vip'], 'then'],
    ['candidate.tags contains "vip"', [], 'else'],
    ['candidate.first_name == "Ada" and candidate.consent.email', [], 'then'],
  ])('%s with tags %j takes %s, and says why', (expression, tags, taken) => {
    const lines = run(
      playbook([{ id: 'check', if: expression, then: [{ exit: 'then' }], else: [{ exit: 'else' }] }]),
      {
        candidate: { ...ada, tags },
      },
    );
    expect(lines.find((l) => l.action === 'branch')).toMatchObject({ step: 'check', if: expression, taken });
    expect(lines.at(-1)).toMatchObject({ action: 'exit', reason: taken });
  });
});

describe('update, task, enroll, find, webhook', () => {
  it('changes the candidate for the steps after it', () => {
    const lines = run(
      playbook([
        { update: { set: { stage: 'nurture' }, tags: { add: ['warm'] } } },
        {
          id: 'check',
          if: 'candidate.tags contains "warm" and candidate.stage == "nurture"',
          then: [{ exit: 'updated' }],
        },
      ]),
    );
    expect(lines.at(-1)).toMatchObject({ action: 'exit', reason: 'updated' });
  });

  it('creates tasks for the owner or a named assignee', () => {
    const lines = run(
      playbook(
        [
          { id: 't1', task: { title: 'Call' } },
          { id: 't2', task: { title: 'Review', assignee: 'lea@acme.example' } },
        ],
        { owner: 'ops@acme.example' },
      ),
    );
    expect(lines.filter((l) => l.action === 'task').map((l) => l.assignee)).toEqual([
      'ops@acme.example',
      'lea@acme.example',
    ]);
  });

  it('enrolls into another playbook and calls webhooks with rendered bodies', () => {
    const lines = run(
      playbook([
        { enroll: { playbook: 'nurture-company-updates' } },
        {
          webhook: {
            url: 'https://ats.example/candidates/{{ candidate.id }}',
            body: { note: 'Hello {{ candidate.first_name }}' },
          },
        },
      ]),
    );
    expect(lines.filter((l) => l.step)).toEqual([
      { at: MONDAY_9AM, action: 'enroll', step: 'steps/0', playbook: 'nurture-company-updates' },
      {
        at: MONDAY_9AM,
        action: 'webhook',
        step: 'steps/1',
        method: 'POST',
        url: 'https://ats.example/candidates/c1',
      },
    ]);
  });

  describe('webhook secrets come only from the playbook’s text', () => {
    const webhook = (spec: {
      url: string;
      headers?: Record<string, string>;
      body?: Record<string, unknown>;
    }) => {
      const def = playbook([{ id: 'tell-ats', webhook: spec }]);
      return (candidate: Record<string, unknown>, data: Record<string, unknown> = {}) => {
        const event = { id: 'e1', type: 'candidate.rejected', at: MONDAY_9AM, data };
        const context: StepContext = { candidate, sentAt: [], expressions };
        const { commands } = startJourney('j', def, MONDAY_9AM, context, { event });
        const call = commands.find((c) => c.type === 'webhook');
        if (call?.type !== 'webhook') throw new Error(`no webhook call in ${JSON.stringify(commands)}`);
        return call;
      };
    };
    const reference = (name: string) => `\u0000env:${name}\u0000`;

    it.each([
      ['a secret reference of old', '{{env:DATABASE_URL}}', '{{env:DATABASE_URL}}'],
      ['a forged reference', `x${reference('DATABASE_URL')}y`, 'xenv:DATABASE_URLy'],
      ['Liquid', '{{ env.DATABASE_URL }}', '{{ env.DATABASE_URL }}'],
    ])('renders %s in candidate and event data as inert text', (_name, value, sent) => {
      const call = webhook({
        url: 'https://ats.example/?name={{ candidate.first_name }}',
        headers: { 'X-Name': '{{ candidate.first_name }}' },
        body: {
          note: '{{ candidate.first_name }} / {{ event.data.reason }}',
          list: ['{{ candidate.tags }}'],
        },
      })({ ...ada, first_name: value, tags: [value] }, { reason: value });
      expect(call.headers).toEqual({ 'X-Name': sent });
      expect(call.body).toEqual({ note: `${sent} / ${sent}`, list: [sent] });
      expect(call.url).toBe(`https://ats.example/?name=${sent}`);
      expect(JSON.stringify(call)).not.toContain('\\u0000');
    });

    it('does not let a filter decode a reference out of data', () => {
      const call = webhook({
        url: 'https://ats.example/{{ candidate.first_name | url_decode }}',
        body: { b: '{{ candidate.custom.b | base64_decode }}' },
      })({
        ...ada,
        first_name: '%00env:DATABASE_URL%00',
        custom: { b: Buffer.from(reference('DATABASE_URL')).toString('base64') },
      });
      expect(call.url).toBe('https://ats.example/env:DATABASE_URL');
      expect(call.body).toEqual({ b: 'env:DATABASE_URL' });
    });

    it('renders the playbook’s own {{ env.NAME }} as a reference, through filters that add text to it', () => {
      const call = webhook({
        url: '{{ env.ATS_URL }}/candidates/{{ candidate.id }}',
        headers: {
          Authorization: 'Bearer {{ env.ATS_TOKEN }}',
          'X-Key': '{{ env.ATS_TOKEN | prepend: "k-" }}',
        },
        body: { name: '{{ candidate.first_name }}', token: '{{ env.ATS_TOKEN | append: "!" }}' },
      })({ ...ada, first_name: reference('ATS_TOKEN') });
      expect(call.url).toBe(`${reference('ATS_URL')}/candidates/c1`);
      expect(call.headers).toEqual({
        Authorization: `Bearer ${reference('ATS_TOKEN')}`,
        'X-Key': `k-${reference('ATS_TOKEN')}`,
      });
      expect(call.body).toEqual({ name: 'env:ATS_TOKEN', token: `${reference('ATS_TOKEN')}!` });
    });

    it('shows references as written in the simulated timeline', () => {
      const lines = run(playbook([{ webhook: { url: '{{ env.ATS_URL }}/offers' } }]));
      expect(lines.find((l) => l.action === 'webhook')).toMatchObject({ url: '{{ env.ATS_URL }}/offers' });
    });
  });

  it('finds candidates in job playbooks, rendering the match from the job', () => {
    const lines = run(
      playbook(
        [
          { find: { match: { skills: ['{{ job.first_name }}'] }, limit: 50 } },
          { enroll: { playbook: 'engage' } },
        ],
        { for: 'job' },
      ),
    );
    expect(lines.filter((l) => l.step).map((l) => l.action)).toEqual(['find', 'enroll']);
    expect(lines.find((l) => l.action === 'find')).toMatchObject({ match: { skills: ['Ada'] }, limit: 50 });
  });
});

describe('repeat', () => {
  it('repeats `times`, `every` measured from the start of the previous iteration', () => {
    const lines = run(
      playbook([
        {
          id: 'news',
          repeat: {
            every: '90d',
            times: 3,
            steps: [{ id: 'update', send: 'company-update' }, { wait: '1d' }],
          },
        },
      ]),
    );
    expect(actions(lines)).toEqual([
      '2026-01-05T09:00:00.000Z send update',
      '2026-04-05T09:00:00.000Z send update',
      '2026-07-04T09:00:00.000Z send update',
      '2026-07-05T09:00:00.000Z exit completed',
    ]);
  });

  it('stops when `until` is true', () => {
    const lines = run(
      playbook([
        {
          id: 'nudge',
          repeat: {
            every: '7d',
            until: 'candidate.tags contains "done"',
            steps: [{ id: 'ping', send: 'ping' }, { update: { tags: { add: ['done'] } } }],
          },
        },
      ]),
    );
    expect(lines.filter((l) => l.action === 'send')).toHaveLength(1);
  });

  it('repeats forever until the journey exits', () => {
    const lines = run(
      playbook([
        {
          id: 'birthday',
          repeat: { every: '365d', forever: true, steps: [{ id: 'wish', send: 'birthday' }] },
        },
      ]),
      {
        days: 800,
        events: [{ at: '2028-01-01T00:00:00.000Z', type: 'candidate.hired' }],
      },
    );
    expect(lines.filter((l) => l.action === 'send').map((l) => l.at)).toEqual([
      '2026-01-05T09:00:00.000Z',
      '2027-01-05T09:00:00.000Z',
    ]);
    expect(lines.at(-1)).toMatchObject({
      at: '2028-01-01T00:00:00.000Z',
      action: 'exit',
      reason: 'candidate.hired',
    });
  });

  it('gives each iteration’s send its own iteration number', () => {
    const def = playbook([
      { id: 'loop', repeat: { times: 3, every: '1d', steps: [{ id: 'ping', send: 'ping' }] } },
    ]);
    const context: StepContext = { candidate: ada, sentAt: [], expressions };
    let r = startJourney('j', def, MONDAY_9AM, context);
    const iterations: number[] = [];
    for (let i = 0; i < 10 && r.state.status !== 'completed'; i++) {
      const send = r.commands.find((c) => c.type === 'send');
      if (send?.type === 'send') {
        iterations.push(send.iteration);
        r = step(r.state, { type: 'done', at: MONDAY_9AM, step: 'ping' }, context);
      } else {
        const sleep = r.commands.find((c) => c.type === 'sleep');
        r = step(r.state, { type: 'timer', at: sleep?.type === 'sleep' ? sleep.until : MONDAY_9AM }, context);
      }
    }
    expect(iterations).toEqual([0, 1, 2]);
  });
});

describe('exit', () => {
  it('an exit event ends the journey at once, even mid-wait', () => {
    const lines = run(playbook([{ wait: '30d' }, { id: 'late', send: 'late' }]), {
      events: [{ at: '2026-01-10T00:00:00.000Z', type: 'candidate.hired' }],
    });
    expect(actions(lines)).toEqual(['2026-01-10T00:00:00.000Z exit candidate.hired']);
  });

  it('an exit step ends it with its reason', () => {
    expect(actions(run(playbook([{ exit: 'not-needed' }])))).toEqual([`${MONDAY_9AM} exit not-needed`]);
  });

  it('a broken expression fails the journey and says where', () => {
    const lines = run(playbook([{ id: 'bad', wait: { until: 'candidate.first_name' } }]));
    expect(lines.at(-1)).toMatchObject({
      action: 'exit',
      status: 'failed',
      reason: expect.stringContaining('step bad:'),
    });
  });
});

describe('what a journey fails of, and what it does not', () => {
  const broken = (make: () => Error) => ({
    evaluate: () => {
      throw make();
    },
    render: () => {
      throw make();
    },
  });
  const definition = playbook([
    { id: 'check', if: 'candidate.tags contains "x"', then: [{ exit: 'tagged' }] },
    { id: 'hello', send: 'hello' },
  ]);

  it('a Liquid error ends the journey as failed, naming the step', () => {
    const lines = run(playbook([{ id: 'bad', if: 'candidate.first_name | nosuch', then: [] }]));
    expect(lines.at(-1)).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^step bad: cannot evaluate .*undefined filter: nosuch/),
    });
  });

  it('a candidate time zone that does not exist ends the journey as failed, naming it', () => {
    const windowed = playbook([{ id: 'hello', send: 'hello' }], {
      sending: { window: { from: '09:00', to: '17:00' } },
    });
    const lines = run(windowed, { candidate: { ...ada, timezone: 'Mars/Olympus_Mons' } });
    expect(lines.at(-1)).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('the time zone "Mars/Olympus_Mons" does not exist'),
    });
  });

  it('a bug (a TypeError) is not the journey’s failure: it escapes, so the workflow task fails and is retried', () => {
    const context = {
      candidate: ada,
      sentAt: [],
      expressions: broken(() => new TypeError('x is undefined')),
    };
    expect(() => startJourney('j', definition, MONDAY_9AM, context as unknown as StepContext)).toThrow(
      TypeError,
    );
  });

  it('an expression failure from the engine ends the journey as failed', () => {
    const context = {
      candidate: ada,
      sentAt: [],
      expressions: broken(() => new ExpressionFailure('undefined filter: nope')),
    };
    const started = startJourney('j', definition, MONDAY_9AM, context);
    expect(started.state).toMatchObject({ status: 'failed', exitReason: expect.stringContaining('nope') });
  });
});

describe('enrollment', () => {
  const def = playbook([{ id: 'hello', send: 'hello' }], {
    enroll: { on: ['candidate.rejected'], if: 'event.data.round >= 2', reentry: { after: '180d' } },
  });
  it('enrolls on its events when the condition holds, and again only after the re-entry delay', () => {
    const lines = run(def, {
      days: 400,
      events: [
        { at: '2026-01-05T09:00:00.000Z', type: 'candidate.rejected', data: { round: 1 } },
        { at: '2026-01-06T09:00:00.000Z', type: 'candidate.rejected', data: { round: 2 } },
        { at: '2026-03-01T09:00:00.000Z', type: 'candidate.rejected', data: { round: 3 } },
        { at: '2026-08-01T09:00:00.000Z', type: 'candidate.rejected', data: { round: 3 } },
      ],
    });
    expect(lines.filter((l) => l.action === 'enroll').map((l) => l.at)).toEqual([
      '2026-01-06T09:00:00.000Z',
      '2026-08-01T09:00:00.000Z',
    ]);
  });
});

describe('journey state', () => {
  const def = playbook([
    { id: 'hello', send: 'hello' },
    { wait: '3d' },
    { id: 'follow-up', send: 'follow-up' },
  ]);
  const context: StepContext = { candidate: ada, sentAt: [], expressions };

  it('does not change the state it is given', () => {
    const r = startJourney('j1', def, MONDAY_9AM, context);
    const frozen = JSON.stringify(r.state);
    step(r.state, { type: 'done', at: MONDAY_9AM, step: 'hello' }, context);
    expect(JSON.stringify(r.state)).toBe(frozen);
  });

  it('gives the same future after a JSON round trip at any point', () => {
    const inputs = [
      { type: 'done', at: MONDAY_9AM, step: 'hello' },
      { type: 'timer', at: '2026-01-08T09:00:00.000Z' },
      { type: 'done', at: '2026-01-08T09:00:00.000Z', step: 'follow-up' },
    ] as const;
    for (let cut = 0; cut <= inputs.length; cut++) {
      let direct = startJourney('j1', def, MONDAY_9AM, context);
      let resumed = direct;
      inputs.forEach((input, i) => {
        direct = step(direct.state, input, context);
        const state = i === cut ? (JSON.parse(JSON.stringify(resumed.state)) as JourneyState) : resumed.state;
        resumed = step(state, input, context);
        expect(resumed.commands).toEqual(direct.commands);
      });
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

describe('sending window across daylight-saving gaps', () => {
  it('skips a window that falls inside the hour clocks skip', () => {
    // New York skips 02:00–03:00 on Sunday 8 March 2026: a Sunday 02:00–03:00 window opens on 15 March.
    const def = playbook([{ id: 'hello', send: 'hello' }], {
      sending: { window: { days: ['sun'], from: '02:00', to: '03:00', timezone: 'candidate' } },
    });
    const lines = run(def, {
      start: '2026-03-07T12:00:00.000Z',
      candidate: { ...ada, timezone: 'America/New_York' },
    });
    expect(lines.find((l) => l.action === 'send')?.at).toBe('2026-03-15T06:00:00.000Z');
  });
});

describe('sending window across daylight-saving gaps in Europe', () => {
  it('skips the Paris window swallowed by the change to summer time', () => {
    // Paris skips 02:00–03:00 on Sunday 29 March 2026 (01:00 UTC): the window opens on 5 April, 00:00 UTC.
    const def = playbook([{ id: 'hello', send: 'hello' }], {
      sending: { window: { days: ['sun'], from: '02:00', to: '03:00', timezone: 'candidate' } },
    });
    const lines = run(def, {
      start: '2026-03-28T12:00:00.000Z',
      candidate: { ...ada, timezone: 'Europe/Paris' },
    });
    expect(lines.find((l) => l.action === 'send')?.at).toBe('2026-04-05T00:00:00.000Z');
  });

  it('sends in the first of the two 02:30s when clocks go back', () => {
    // Paris repeats 02:00–03:00 on Sunday 25 October 2026: 02:30 CEST is 00:30 UTC.
    const def = playbook([{ id: 'hello', send: 'hello' }], {
      sending: { window: { days: ['sun'], from: '02:30', to: '02:45', timezone: 'candidate' } },
    });
    const lines = run(def, {
      start: '2026-10-24T12:00:00.000Z',
      candidate: { ...ada, timezone: 'Europe/Paris' },
    });
    expect(lines.find((l) => l.action === 'send')?.at).toBe('2026-10-25T00:30:00.000Z');
  });
});

describe('events that race a step', () => {
  it('an answer that arrives while the question is being sent is kept for the waitFor that follows', () => {
    const def = playbook([
      { id: 'ask', send: 'ask' },
      {
        id: 'answer',
        waitFor: { event: 'candidate.replied', timeout: '7d' },
        then: [{ exit: 'answered' }],
        else: [{ exit: 'silent' }],
      },
    ]);
    const context: StepContext = { candidate: ada, sentAt: [], expressions };
    let r = startJourney('j', def, MONDAY_9AM, context);
    expect(r.commands[0]).toMatchObject({ type: 'send', step: 'ask' });
    r = step(
      r.state,
      { type: 'event', at: MONDAY_9AM, event: { id: 'e1', type: 'candidate.replied', data: {} } },
      context,
    );
    expect(r.commands).toEqual([]);
    r = step(r.state, { type: 'done', at: MONDAY_9AM, step: 'ask' }, context);
    expect(r.commands.at(-1)).toEqual({ type: 'end', status: 'exited', reason: 'answered' });
  });

  it('an event during a plain wait is not kept for a later waitFor', () => {
    const def = playbook([
      { wait: '1d' },
      { id: 'answer', waitFor: { event: 'candidate.replied', timeout: '1d' }, else: [{ exit: 'silent' }] },
    ]);
    const lines = run(def, { events: [{ at: '2026-01-05T12:00:00.000Z', type: 'candidate.replied' }] });
    expect(lines.at(-1)).toMatchObject({ action: 'exit', reason: 'silent' });
  });
});
