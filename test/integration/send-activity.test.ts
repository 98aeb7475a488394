// The send activity against real PostgreSQL and a real SMTP server: consent first, exactly once, and
// every outcome on the timeline.
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { send, settleSend, type SendDeps } from '../../src/activities/send.js';
import type { SendInput } from '../../workflows/contract.js';
import { createSmsProvider } from '../../src/sms/provider.js';
import { upsertCandidate, getTimeline } from '../../src/db/candidates.js';
import { createRecruitingEvent } from '../../src/db/recruiting-events.js';
import { createMailer, DeliveryError, type Mailer } from '../../src/mail/mailer.js';
import { createSql } from '../../src/db/client.js';
import { freePort } from '../helpers/ports.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { diesAfterDelivery } from '../helpers/unknown-message.js';
import { acknowledgementInput } from '../helpers/send-input.js';
import { eventually, startStack, type Stack } from '../helpers/stack.js';

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
async function candidate(fields: { consent?: boolean; unsubscribed?: boolean; sms?: boolean } = {}) {
  counter += 1;
  const email = `person${counter}@example.com`;
  const { id } = await upsertCandidate(
    stack.db.sql,
    {
      email,
      first_name: `Person${counter}`,
      phone: `+4930${1000000 + counter}`,
      consent: { email: fields.consent ?? true, sms: fields.sms ?? false },
    },
    'api',
  );
  if (fields.unsubscribed) await stack.db.sql`update candidates set unsubscribed_at = now() where id = ${id}`;
  return { id, email };
}

const input = acknowledgementInput;

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

  it('marks a message whose data went to the server before a crash as unknown and never sends it again', async () => {
    const c = await candidate();
    // The provider accepts the message, then the worker dies before recording it.
    const crashing = diesAfterDelivery(stack.smtp.url);
    await expect(send({ ...deps, mailer: crashing }, input(c.id))).rejects.toThrow('worker process died');
    const [left] = await stack.db.sql`select status, data_sent_at from messages where candidate_id = ${c.id}`;
    expect(left).toMatchObject({ status: 'sending', data_sent_at: expect.any(Date) });
    const retried = await send(deps, input(c.id));
    expect(retried).toMatchObject({ status: 'unknown', reason: 'interrupted during delivery' });
    expect(deliveredTo(c.email)).toBe(1);
    expect(await timelineKinds(c.id)).toEqual(['message.unknown']);
    crashing.close();
  });

  it('delivers, once, a message a crash left before its data was handed to the server', async () => {
    const c = await candidate();
    // The worker dies while connecting or in the envelope (MAIL FROM, RCPT TO): no DATA yet.
    const crashing: Mailer = {
      send: () => Promise.reject(new Error('worker process died')),
      close: () => undefined,
    };
    await expect(send({ ...deps, mailer: crashing }, input(c.id))).rejects.toThrow('worker process died');
    const [left] = await stack.db.sql`select status, data_sent_at from messages where candidate_id = ${c.id}`;
    expect(left).toMatchObject({ status: 'sending', data_sent_at: null });
    expect(await send(deps, input(c.id))).toMatchObject({ status: 'sent' });
    expect(deliveredTo(c.email)).toBe(1);
    expect(await timelineKinds(c.id)).toEqual(['message.sent']);
  });

  it('retries a message whose connection dropped mid-DATA, before its end: it is delivered once', async () => {
    const c = await candidate();
    const dropping: Mailer = {
      send: async (_email, handover) => {
        await handover!();
        throw new DeliveryError('retryable', 'Connection closed unexpectedly');
      },
      close: () => undefined,
    };
    await expect(send({ ...deps, mailer: dropping }, input(c.id))).rejects.toBeInstanceOf(ApplicationFailure);
    const [left] = await stack.db.sql`select status, data_sent_at from messages where candidate_id = ${c.id}`;
    expect(left).toMatchObject({ status: 'pending', data_sent_at: null });
    expect(await send(deps, input(c.id))).toMatchObject({ status: 'sent' });
    expect(deliveredTo(c.email)).toBe(1);
  });

  it('records the answer it got when PostgreSQL is out of reach for a moment right after it', async () => {
    const c = await candidate();
    const url = new URL(stack.db.url);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
    url.port = String(proxy.port);
    const sql = createSql(url.toString(), { max: 2 });
    const real = createMailer(stack.smtp.url);
    // The server takes the message; then every connection to PostgreSQL drops, and none can be made for
    // a second (a restart, a failover).
    const answeredThenCut: Mailer = {
      send: async (email, handover) => {
        const answer = await real.send(email, handover);
        proxy.cut();
        setTimeout(() => proxy.restore(), 1000);
        return answer;
      },
      close: () => real.close(),
    };
    try {
      expect(await send({ ...deps, sql, mailer: answeredThenCut }, input(c.id))).toMatchObject({
        status: 'sent',
      });
    } finally {
      real.close();
      await sql.end({ timeout: 1 });
      await proxy.close();
    }
    const [row] = await stack.db.sql`select status from messages where candidate_id = ${c.id}`;
    expect(row).toMatchObject({ status: 'sent' });
    expect(deliveredTo(c.email)).toBe(1);
    expect(await timelineKinds(c.id)).toEqual(['message.sent']);
  });

  it('lets one attempt hand the data over when an earlier one, thought dead, is still connecting', async () => {
    const c = await candidate();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const real = createMailer(stack.smtp.url);
    // The first attempt stalls before DATA (its heartbeats stopped); Temporal retries the activity.
    const stalled: Mailer = {
      send: async (email, handover) => {
        await held;
        return real.send(email, handover);
      },
      close: () => real.close(),
    };
    const first = send({ ...deps, mailer: stalled }, input(c.id));
    await eventually(async () => {
      const [row] = await stack.db.sql`select status from messages where candidate_id = ${c.id}`;
      return row?.status === 'sending' ? true : undefined;
    });
    expect(await send(deps, input(c.id))).toMatchObject({ status: 'sent' });
    release();
    // The first attempt reaches DATA, is refused its handover, and sends nothing.
    expect(await first).toMatchObject({ status: 'sent' });
    await new Promise((r) => setTimeout(r, 200));
    expect(deliveredTo(c.email)).toBe(1);
    expect(await timelineKinds(c.id)).toEqual(['message.sent']);
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

  it('suppresses, never sends, a message whose candidate unsubscribed between two attempts', async () => {
    const c = await candidate();
    stack.smtp.rejectNext(1, 451);
    await expect(send(deps, input(c.id))).rejects.toBeInstanceOf(ApplicationFailure);
    await stack.db.sql`update candidates set unsubscribed_at = now() where id = ${c.id}`;
    expect(await send(deps, input(c.id))).toMatchObject({ status: 'suppressed', reason: 'unsubscribed' });
    expect(await send(deps, input(c.id))).toMatchObject({ status: 'suppressed' });
    expect(deliveredTo(c.email)).toBe(0);
    expect(await timelineKinds(c.id)).toContain('message.suppressed');
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

  it('links the recruiting event’s address as recruiters entered it, never one an event’s data claims', async () => {
    const meetup = (await createRecruitingEvent(stack.db.sql, {
      name: 'links-meetup',
      title: 'Links meetup',
      starts_at: '2030-01-10T18:00:00.000Z',
      timezone: 'Europe/Berlin',
      url: 'https://meet.acme.example/links',
    }))!;
    const targets = (html: string) =>
      [...html.matchAll(/href="([^"]+)"/g)].map(([, href]) => {
        const token = /\/t\/([^/]+)$/.exec(href!.replace(/&amp;/g, '&'))?.[1];
        const claims = token ? stack.deps.links!.signer.verify(token, 't') : undefined;
        return claims ? claims.u : 'rapport';
      });
    const rsvpConfirmed = async (url: string) => {
      const c = await candidate();
      const { messageId } = await send(deps, {
        ...input(c.id),
        template: 'event-rsvp-confirmed',
        event: {
          id: `rsvp-${c.id}`,
          type: 'candidate.rsvp',
          source: 'link',
          occurred_at: '2030-01-01T10:00:00.000Z',
          data: {
            recruiting_event: { id: meetup.id, title: meetup.title, starts_at: '2030-01-10T18:00:00Z', url },
          },
        },
      });
      const [row] = await stack.db.sql<{ body_html: string; body_text: string }[]>`
        select body_html, body_text from messages where id = ${messageId}`;
      return row!;
    };
    const entered = await rsvpConfirmed('https://meet.acme.example/links');
    expect(targets(entered.body_html)).toEqual([
      'https://meet.acme.example/links',
      'rapport',
      'https://careers.acme.example',
    ]);
    const claimed = await rsvpConfirmed('https://evil.example/meetup');
    expect(targets(claimed.body_html)).toEqual(['rapport', 'https://careers.acme.example']);
    expect(claimed.body_text).toContain('Details and link: https://evil.example/meetup');
  });

  it('records a notification to the owner as suppressed (no-address) when neither candidate nor playbook has one', async () => {
    const c = await candidate({ consent: false });
    const result = await send(deps, { ...input(c.id), to: 'owner', step: 'notify' });
    expect(result).toMatchObject({ status: 'suppressed', reason: 'no-address' });
    expect(deliveredTo(c.email)).toBe(0);
    expect(await timelineKinds(c.id)).toEqual(['message.suppressed']);
  });
});

describe('SMS through the webhook provider', () => {
  const received: { headers: http.IncomingHttpHeaders; body: Record<string, unknown> }[] = [];
  let answer = { status: 200, body: '{"id":"sms-1"}' };
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(body) as Record<string, unknown> });
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const sms = (id: string): SendInput => ({ ...input(id), channel: 'sms', step: 'text' });

  it('posts the rendered text to the provider once, with the outbox key, and keeps the provider id', async () => {
    const c = await candidate({ sms: true });
    const provider = createSmsProvider(url, 'sms-token');
    answer = { status: 200, body: '{"id":"sms-1"}' };
    expect(await send({ ...deps, sms: provider }, sms(c.id))).toMatchObject({ status: 'sent' });
    expect(await send({ ...deps, sms: provider }, sms(c.id))).toMatchObject({ status: 'sent' });
    const mine = received.filter((r) => r.body.to === `+4930${1000000 + counter}`);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.headers.authorization).toBe('Bearer sms-token');
    expect(mine[0]!.headers['idempotency-key']).toBe(`candidate/${c.id}/${sms(c.id).journeyId}/text/0`);
    expect(mine[0]!.body.body).toContain('Thank you for applying');
    const [row] = await stack.db
      .sql`select status, provider_id, to_address from messages where candidate_id = ${c.id}`;
    expect(row).toMatchObject({
      status: 'sent',
      provider_id: 'sms-1',
      to_address: `+4930${1000000 + counter}`,
    });
  });

  it('suppresses an SMS without SMS consent, retries a 503, and records a 400 as failed', async () => {
    const noConsent = await candidate();
    expect(await send({ ...deps, sms: createSmsProvider(url) }, sms(noConsent.id))).toMatchObject({
      status: 'suppressed',
      reason: 'no-consent',
    });
    const c = await candidate({ sms: true });
    answer = { status: 503, body: 'busy' };
    await expect(send({ ...deps, sms: createSmsProvider(url) }, sms(c.id))).rejects.toBeInstanceOf(
      ApplicationFailure,
    );
    answer = { status: 400, body: '{"error":"bad number"}' };
    expect(await send({ ...deps, sms: createSmsProvider(url) }, sms(c.id))).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('answered 400') as string,
    });
  });
});

describe('settling a send whose journey ended', () => {
  it('cancels a message waiting for its retry, and one that never started stays unsent', async () => {
    const waiting = await candidate();
    stack.smtp.rejectNext(1, 451);
    await expect(send(deps, input(waiting.id))).rejects.toBeInstanceOf(ApplicationFailure);
    expect(await settleSend(deps, input(waiting.id))).toEqual({ status: 'cancelled' });
    expect(await send(deps, input(waiting.id))).toMatchObject({ status: 'cancelled' });

    const never = await candidate();
    expect(await settleSend(deps, input(never.id))).toEqual({ status: 'cancelled' });
    // An attempt still running when the journey ended finds the row cancelled and does not deliver.
    expect(await send(deps, input(never.id))).toMatchObject({ status: 'cancelled' });
    expect(deliveredTo(waiting.email) + deliveredTo(never.email)).toBe(0);
    expect(await timelineKinds(never.id)).toEqual(['message.cancelled']);
  });

  it('cancels an attempt that has not handed the data over yet: it never sends', async () => {
    const c = await candidate();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const real = createMailer(stack.smtp.url);
    // Still connecting when the journey ends.
    const slow: Mailer = {
      send: async (email, handover) => {
        await held;
        return real.send(email, handover);
      },
      close: () => real.close(),
    };
    const sending = send({ ...deps, mailer: slow }, input(c.id));
    await new Promise((r) => setTimeout(r, 300));
    expect(await settleSend(deps, input(c.id), { pollMs: 20 })).toEqual({ status: 'cancelled' });
    release();
    expect(await sending).toMatchObject({ status: 'cancelled' });
    await new Promise((r) => setTimeout(r, 200));
    expect(deliveredTo(c.email)).toBe(0);
    expect(await timelineKinds(c.id)).toEqual(['message.cancelled']);
    real.close();
  });

  it('waits for an attempt that handed the data over, and lets a delivered message stand', async () => {
    const c = await candidate();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const real = createMailer(stack.smtp.url);
    // The server accepted DATA and the data is on its way when the journey ends.
    const slow: Mailer = {
      send: (email, handover) =>
        real.send(email, async () => {
          await handover!();
          await held;
        }),
      close: () => real.close(),
    };
    const sending = send({ ...deps, mailer: slow }, input(c.id));
    await new Promise((r) => setTimeout(r, 300));
    let settled: { status: string } | undefined;
    const settling = settleSend(deps, input(c.id), { pollMs: 20 }).then((s) => (settled = s));
    await new Promise((r) => setTimeout(r, 200));
    expect(settled).toBeUndefined();
    release();
    await sending;
    await settling;
    expect(settled).toEqual({ status: 'sent' });
    expect(deliveredTo(c.email)).toBe(1);
    real.close();
  });
});
