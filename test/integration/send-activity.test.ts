// The send activity against real PostgreSQL and a real SMTP server: consent first, exactly once, and
// every outcome on the timeline.
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, type SendDeps, type SendInput } from '../../src/activities/send.js';
import { upsertCandidate, getTimeline } from '../../src/db/candidates.js';
import { createMailer, type Mailer } from '../../src/mail/mailer.js';
import { freePort } from '../helpers/ports.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let deps: SendDeps;
beforeAll(async () => {
  stack = await startStack();
  deps = { ...stack.deps };
});
afterAll(async () => {
  await stack?.stop();
});

let counter = 0;
async function candidate(fields: { consent?: boolean; unsubscribed?: boolean } = {}) {
  counter += 1;
  const email = `person${counter}@example.com`;
  const id = await upsertCandidate(
    stack.db.sql,
    { email, first_name: `Person${counter}`, consent: { email: fields.consent ?? true } },
    'api',
  );
  if (fields.unsubscribed) await stack.db.sql`update candidates set unsubscribed_at = now() where id = ${id}`;
  return { id, email };
}

function input(candidateId: string): SendInput {
  return {
    workflowId: `candidate/${candidateId}`,
    journeyId: `engage-acknowledge-application:evt-${candidateId}`,
    candidateId,
    playbook: { id: 'engage-acknowledge-application', version: 1 },
    step: 'acknowledge',
    iteration: 0,
    template: 'application-received',
    channel: 'email',
    event: null,
    startedAt: '2026-01-05T09:00:00.000Z',
  };
}

const deliveredTo = (email: string) => stack.smtp.received.filter((m) => m.to.includes(email)).length;
const timelineKinds = async (id: string) => (await getTimeline(stack.db.sql, id)).map((t) => t.kind);

describe('the send activity', () => {
  it('sends once, and a repeated call returns the recorded outcome without sending again', async () => {
    const c = await candidate();
    expect(await send(deps, input(c.id))).toMatchObject({ status: 'sent' });
    expect(await send(deps, input(c.id))).toMatchObject({ status: 'sent' });
    expect(deliveredTo(c.email)).toBe(1);
    expect(await timelineKinds(c.id)).toEqual(['message.sent']);
  });

  it('marks a message left mid-delivery by a crash as unknown and never sends it again', async () => {
    const c = await candidate();
    const real = createMailer(stack.smtp.url);
    // The provider accepts the message, then the worker dies before recording it.
    const crashing: Mailer = {
      send: async (email) => {
        await real.send(email);
        throw new Error('worker process died');
      },
      close: () => real.close(),
    };
    await expect(send({ ...deps, mailer: crashing }, input(c.id))).rejects.toThrow('worker process died');
    const retried = await send(deps, input(c.id));
    expect(retried).toMatchObject({ status: 'unknown', reason: 'interrupted during delivery' });
    expect(deliveredTo(c.email)).toBe(1);
    expect(await timelineKinds(c.id)).toEqual(['message.unknown']);
    real.close();
  });

  it('retries when the SMTP server cannot be reached, and then delivers once', async () => {
    const c = await candidate();
    const down = createMailer(`smtp://127.0.0.1:${await freePort()}`);
    const error = await send({ ...deps, mailer: down }, input(c.id)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).nonRetryable).toBe(false);
    expect(await send(deps, input(c.id))).toMatchObject({ status: 'sent' });
    expect(deliveredTo(c.email)).toBe(1);
    down.close();
  });

  it('retries after a temporary rejection (451)', async () => {
    const c = await candidate();
    stack.smtp.rejectNext(1, 451);
    await expect(send(deps, input(c.id))).rejects.toBeInstanceOf(ApplicationFailure);
    expect(await send(deps, input(c.id))).toMatchObject({ status: 'sent' });
    expect(deliveredTo(c.email)).toBe(1);
  });

  it('records a permanent rejection (550) as failed and does not retry', async () => {
    const c = await candidate();
    stack.smtp.rejectNext(1, 550);
    expect(await send(deps, input(c.id))).toMatchObject({ status: 'failed' });
    expect(await send(deps, input(c.id))).toMatchObject({ status: 'failed' });
    expect(deliveredTo(c.email)).toBe(0);
    expect(await timelineKinds(c.id)).toEqual(['message.failed']);
  });

  it.each([
    { name: 'without email consent', fields: { consent: false }, reason: 'no-consent' },
    { name: 'after unsubscribing', fields: { unsubscribed: true }, reason: 'unsubscribed' },
  ])('suppresses the message $name and records why on the timeline', async ({ fields, reason }) => {
    const c = await candidate(fields);
    expect(await send(deps, input(c.id))).toMatchObject({ status: 'suppressed', reason });
    expect(deliveredTo(c.email)).toBe(0);
    const timeline = await getTimeline(stack.db.sql, c.id);
    expect(timeline).toEqual([
      expect.objectContaining({ kind: 'message.suppressed', data: expect.objectContaining({ reason }) }),
    ]);
  });

  it('records the message in the outbox as not delivered when no SMTP server is configured', async () => {
    const c = await candidate();
    expect(await send({ ...deps, mailer: undefined }, input(c.id))).toMatchObject({ status: 'recorded' });
    expect(deliveredTo(c.email)).toBe(0);
    const [row] = await stack.db.sql`select status, subject from messages where candidate_id = ${c.id}`;
    expect(row).toMatchObject({
      status: 'recorded',
      subject: expect.stringContaining('we received your application'),
    });
  });
});
