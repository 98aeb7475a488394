// Who a send reaches and on which channel, and what happens when a step cannot be carried out at run
// time: the pure interpreter on a virtual clock.
import { describe, expect, it } from 'vitest';
import { startJourney, step, type StepContext } from '../../src/interpreter/index.js';
import { simulate } from '../../src/simulate/simulate.js';
import { ada, expressions, MONDAY_9AM, playbook, run } from '../helpers/simulation.js';

describe('recipients and channels', () => {
  it('sends on the template’s channel when the step names none, and on the step’s when it does', () => {
    const lines = run(
      playbook([
        { id: 'text', send: 'reminder' },
        { id: 'mail', send: { template: 'reminder', channel: 'email' } },
      ]),
      { candidate: { ...ada, consent: { email: true, sms: true } }, channels: { reminder: 'sms' } },
    );
    expect(lines.filter((l) => l.action === 'send').map((l) => [l.step, l.channel])).toEqual([
      ['text', 'sms'],
      ['mail', 'email'],
    ]);
  });

  it('checks the consent of the template’s channel', () => {
    const lines = run(playbook([{ id: 'text', send: 'reminder' }]), { channels: { reminder: 'sms' } });
    expect(lines.find((l) => l.step === 'text')).toMatchObject({
      action: 'suppressed',
      reason: 'no-consent',
      channel: 'sms',
    });
  });

  it('notifies the owner without asking the candidate’s consent or counting against their cap', () => {
    const lines = run(
      playbook(
        [
          { id: 'hello', send: 'hello' },
          { id: 'notify', send: { template: 'new-reply', to: 'owner', from: 'bot@acme.example' } },
        ],
        { sending: { cap: { messages: 1, per: '7d' } } },
      ),
      { candidate: { ...ada, unsubscribed_at: '2025-12-01T00:00:00Z' } },
    );
    expect(lines.filter((l) => l.action !== 'enroll')).toEqual([
      expect.objectContaining({ action: 'suppressed', step: 'hello', reason: 'unsubscribed' }),
      {
        at: MONDAY_9AM,
        action: 'send',
        step: 'notify',
        template: 'new-reply',
        channel: 'email',
        to: 'owner',
      },
      expect.objectContaining({ action: 'exit', reason: 'completed' }),
    ]);
  });

  it('gives a task to the candidate’s owner first, else to the playbook’s', () => {
    const definition = playbook([{ id: 'call', task: { title: 'Call' } }], { owner: 'ops@acme.example' });
    const assignee = (candidate: Record<string, unknown>) =>
      run(definition, { candidate }).find((l) => l.action === 'task')?.assignee;
    expect(assignee({ ...ada, owner: 'sam@acme.example' })).toBe('sam@acme.example');
    expect(assignee({ ...ada, owner: null })).toBe('ops@acme.example');
  });
});

describe('a step that fails at run time', () => {
  const context = (candidate: object): StepContext => ({ candidate, sentAt: [], expressions });

  it('ends the journey as failed, naming the step and the cause, instead of throwing', () => {
    // A time zone that does not exist makes the window computation throw inside Intl.
    const definition = playbook([{ id: 'hello', send: 'hello' }], {
      sending: { window: { from: '09:00', to: '17:00', timezone: 'candidate' } },
    });
    const started = startJourney('j', definition, MONDAY_9AM, context({ ...ada, timezone: 'Mars/Olympus' }));
    expect(started.state.status).toBe('failed');
    expect(started.state.exitReason).toMatch(/^step hello: .*Mars\/Olympus/);
    expect(started.commands.at(-1)).toEqual({
      type: 'end',
      status: 'failed',
      reason: started.state.exitReason,
    });
  });

  it('fails on a later input too, and a failed journey takes no further input', () => {
    const definition = playbook([{ wait: '1d' }, { id: 'hello', send: 'hello' }], {
      sending: { window: { from: '09:00', to: '17:00', timezone: 'candidate' } },
    });
    const started = startJourney('j', definition, MONDAY_9AM, context(ada));
    expect(started.state.status).toBe('waiting');
    const broken = context({ ...ada, timezone: 'Nowhere/Atall' });
    const fired = step(started.state, { type: 'timer', at: '2026-01-06T09:00:00.000Z' }, broken);
    expect(fired.state.status).toBe('failed');
    expect(fired.state.exitReason).toMatch(/^step hello: /);
    expect(step(fired.state, { type: 'timer', at: '2026-01-07T09:00:00.000Z' }, broken).commands).toEqual([]);
  });

  it('enrolls into a journey that fails at once when enroll.if cannot be evaluated', () => {
    const lines = run(
      playbook([{ id: 'hello', send: 'hello' }], {
        enroll: { on: ['candidate.rejected'], if: 'candidate.first_name | no_such_filter' },
      }),
      { events: [{ at: MONDAY_9AM, type: 'candidate.rejected' }] },
    );
    expect(lines.filter((l) => l.action === 'send')).toEqual([]);
    expect(lines.find((l) => l.action === 'exit')).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^enroll\.if: cannot evaluate/),
    });
  });
});

describe('the Liquid scope', () => {
  it('is the same for a template’s subject as for the playbook’s expressions', () => {
    const seen: Record<string, unknown>[] = [];
    simulate({
      definition: playbook([
        { if: "journey.playbook == 'test' and now != blank", then: [{ id: 'hello', send: 'hello' }] },
      ]),
      candidate: ada,
      start: MONDAY_9AM,
      days: 1,
      expressions,
      subjectOf: (_template, scope) => {
        seen.push(scope);
        return 'Hello';
      },
    });
    expect(seen).toHaveLength(1);
    expect(Object.keys(seen[0]!).sort()).toEqual(['candidate', 'event', 'job', 'journey', 'now', 'org']);
    expect(seen[0]!.journey).toMatchObject({
      playbook: 'test',
      version: 1,
      started_at: MONDAY_9AM,
      step: 'hello',
    });
    expect(seen[0]!.now).toBe(MONDAY_9AM);
  });
});

describe('one consent decision per send', () => {
  const context = (candidate: object): StepContext => ({ candidate, sentAt: [], expressions });
  const unsubscribed = { ...ada, unsubscribed_at: '2025-12-01T00:00:00Z' };
  const definition = playbook([{ id: 'hello', send: 'hello' }, { task: { title: 'call' } }]);

  it('leaves it to the delivery: the interpreter hands over the send, whoever the candidate is', () => {
    const started = startJourney('j', definition, MONDAY_9AM, context(unsubscribed));
    expect(started.commands).toEqual([
      expect.objectContaining({ type: 'send', step: 'hello', template: 'hello', to: 'candidate' }),
    ]);
    expect(started.commands.some((c) => c.type === 'record')).toBe(false);
  });

  it('goes on after a suppressed delivery as after a sent one', () => {
    const started = startJourney('j', definition, MONDAY_9AM, context(unsubscribed));
    const after = step(
      started.state,
      { type: 'done', at: MONDAY_9AM, step: 'hello', result: { outcome: 'suppressed' } },
      context(unsubscribed),
    );
    expect(after.commands).toEqual([expect.objectContaining({ type: 'task', title: 'call' })]);
  });

  it('still decides at the step in journeys from before, as their histories recorded', () => {
    const legacy = startJourney('j', definition, MONDAY_9AM, context(unsubscribed), {
      consentAtDelivery: false,
    });
    expect(legacy.state.consentAtDelivery).toBeUndefined();
    expect(legacy.commands[0]).toEqual({
      type: 'record',
      step: 'hello',
      what: 'suppressed',
      detail: { reason: 'unsubscribed', template: 'hello', channel: 'email' },
    });
  });

  it('is the simulator’s when it delivers: suppressed at the time the message would have gone', () => {
    const windowed = playbook([{ id: 'hello', send: 'hello' }], {
      sending: { window: { from: '10:00', to: '17:00', timezone: 'UTC' } },
    });
    const lines = run(windowed, { candidate: unsubscribed });
    expect(lines.find((l) => l.action === 'suppressed')).toMatchObject({
      at: '2026-01-05T10:00:00.000Z',
      step: 'hello',
      reason: 'unsubscribed',
    });
  });
});
