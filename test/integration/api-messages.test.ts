// The outbox and tasks through the API, and what candidates do with a message: click a tracked link
// (redirected only where the signed token says), answer with one click, or reply by email.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTask } from '../../src/db/subjects.js';
import { jsonCaller, type JsonCall } from '../helpers/api.js';
import { eventually, INBOUND_EMAIL_SECRET, startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let call: JsonCall;
let candidateId: string;
let messageId: string;
let replyTo: string;
beforeAll(async () => {
  stack = await startStack();
  call = jsonCaller(stack.app);
  const res = await stack.app.request('/v1/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'candidate.applied',
      candidate: { email: 'links@example.com', first_name: 'Lee' },
    }),
  });
  candidateId = ((await res.json()) as { candidate_id: string }).candidate_id;
  const mail = await stack.smtp.waitFor((m) => m.to.includes('links@example.com'));
  replyTo = String(mail.headers.get('message-id'));
  messageId = String(mail.headers.get('x-rapport-message'));
});
afterAll(async () => {
  await stack?.stop();
});

const eventsOf = (type: string) =>
  stack.db.sql<{ data: Record<string, unknown> }[]>`
    select data from events where candidate_id = ${candidateId} and type = ${type}`;

describe('the outbox', () => {
  it('lists messages with their status, filtered and paged, and shows one with its text', async () => {
    const list = await call<{ items: { id: string; status: string; subject: string }[]; next_cursor: null }>(
      'GET',
      `/v1/messages?candidate_id=${candidateId}&status=sent`,
    );
    expect(list.body.items).toEqual([expect.objectContaining({ id: messageId, status: 'sent' })]);
    const one = await call<{ body_text: string; to_address: string }>('GET', `/v1/messages/${messageId}`);
    expect(one.body.to_address).toBe('links@example.com');
    expect(one.body.body_text).toContain('Lee');
    expect((await call('GET', '/v1/messages?status=lost')).status).toBe(422);
    expect((await call('GET', '/v1/messages?candidate_id=x')).status).toBe(422);
    expect((await call('GET', '/v1/messages/00000000-0000-0000-0000-000000000000')).status).toBe(404);
  });
});

describe('tasks', () => {
  it('are listed and completed once, which a waiting journey hears as task.completed', async () => {
    const task = await createTask(stack.db.sql, {
      key: `test-task-${Date.now()}`,
      candidateId,
      journeyId: 'manual',
      step: 'call',
      title: 'Call Lee',
      assignee: 'sam@acme.example',
    });
    const open = await call<{ items: { id: string; title: string }[] }>(
      'GET',
      '/v1/tasks?status=open&assignee=sam@acme.example',
    );
    expect(open.body.items.map((t) => t.id)).toContain(task.id);
    const done = await call<{ status: string }>('POST', `/v1/tasks/${task.id}/complete`, {
      outcome: 'reached',
    });
    expect(done.body.status).toBe('completed');
    expect(await eventsOf('task.completed')).toEqual([
      { data: expect.objectContaining({ task_id: task.id, step: 'call', outcome: 'reached' }) },
    ]);
    expect((await call('POST', `/v1/tasks/${task.id}/complete`)).status).toBe(409);
    expect((await call('GET', '/v1/tasks?status=done')).status).toBe(422);
    expect((await call('POST', `/v1/tasks/${task.id}/complete`, { outcome: 7 })).status).toBe(422);
    expect((await call('POST', '/v1/tasks/00000000-0000-0000-0000-000000000000/complete')).status).toBe(404);
  });
});

describe('tracked links', () => {
  const signer = () => stack.deps.links!.signer;

  it('record the click and redirect to the URL the token carries', async () => {
    const target = 'https://careers.acme.example/jobs/42?utm=mail&x=<y>';
    const token = signer().sign({ k: 't', m: messageId, u: target });
    for (let i = 0; i < 2; i++) {
      const res = await stack.rawApp.request(`/t/${token}`);
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(new URL(target).href);
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
    const clicks = await eventsOf('candidate.clicked');
    expect(clicks).toEqual([
      { data: expect.objectContaining({ message_id: messageId, url: new URL(target).href }) },
    ]);
  });

  it.each([
    ['a tampered token', () => tamper(signer().sign({ k: 't', m: messageId, u: 'https://acme.example/' }))],
    ['an unsubscribe token', () => signer().sign({ k: 'u', m: messageId })],
    ['a reply token', () => signer().sign({ k: 'r', m: messageId })],
    ['a script URL', () => signer().sign({ k: 't', m: messageId, u: 'javascript:alert(1)' })],
    [
      'a header injection',
      () => signer().sign({ k: 't', m: messageId, u: 'https://acme.example/\r\nSet-Cookie: a=b' }),
    ],
    ['a protocol-relative URL', () => signer().sign({ k: 't', m: messageId, u: '//evil.example/' })],
    ['no signature', () => 'eyJrIjoidCJ9'],
  ])('refuse %s, redirecting nowhere', async (_name, token) => {
    const res = await stack.rawApp.request(`/t/${token()}`);
    expect(res.status).toBe(404);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('are made only of addresses the sender chose: one in a candidate’s name stays text', async () => {
    const name = 'Ada https://evil.example/login';
    const res = await stack.app.request('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'candidate.applied',
        candidate: { email: 'named-url@example.com', first_name: name },
      }),
    });
    expect(res.status).toBe(202);
    const mail = await stack.smtp.waitFor((m) => m.to.includes('named-url@example.com'));
    const hrefs = [...mail.html.matchAll(/href="([^"]+)"/g)].map(([, h]) => h!.replace(/&amp;/g, '&'));
    const targets = hrefs.map((href) => {
      const token = /^http:\/\/rapport\.test\/t\/([^/]+)$/.exec(href)?.[1];
      return token ? signer().verify(token, 't')?.u : href;
    });
    // The careers site the organisation names is linked and tracked; the candidate's address is not.
    expect(targets).toEqual(['https://careers.acme.example']);
    expect(mail.html).toContain('Hi Ada https://evil.example/login,');
    expect(mail.text).toContain(`Hi ${name},`);
    expect(mail.subject).toBe(`${name}, we received your application`);
  });

  it('redirect for a year from their message’s creation, then answer 410 and record nothing', async () => {
    const message = async (daysAgo: number) => {
      const [row] = await stack.db.sql<{ id: string }[]>`
        insert into messages (idempotency_key, candidate_id, channel, template, status, created_at)
        values (${`test-aged-${daysAgo}-${Date.now()}`}, ${candidateId}, 'email', 'application-received', 'sent',
                now() - make_interval(days => ${daysAgo}))
        returning id`;
      return row!.id;
    };
    const target = 'https://careers.acme.example/aged';
    const link = (m: string) => `/t/${signer().sign({ k: 't', m, u: target })}`;
    const clicked = async () =>
      (await eventsOf('candidate.clicked')).filter((e) => e.data.url === target).length;

    const recent = await stack.rawApp.request(link(await message(364)));
    expect(recent.status).toBe(302);
    expect(recent.headers.get('location')).toBe(target);
    expect(await clicked()).toBe(1);

    for (const m of [await message(366), '00000000-0000-4000-8000-000000000000']) {
      const res = await stack.rawApp.request(link(m));
      expect(res.status).toBe(410);
      expect(res.headers.get('location')).toBeNull();
      const page = await res.text();
      expect(page).toContain('This link has expired.');
      expect(page).not.toContain('careers.acme.example');
    }
    expect(await clicked()).toBe(1);
  });

  it('answer with one confirmed click, once', async () => {
    const token = signer().sign({ k: 'e', m: messageId, e: 'candidate.open_to_work' });
    const page = await stack.rawApp.request(`/t/${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Yes, I am open');
    expect(await eventsOf('candidate.open_to_work')).toEqual([]);
    for (let i = 0; i < 2; i++)
      expect((await stack.rawApp.request(`/t/${token}`, { method: 'POST' })).status).toBe(200);
    expect(await eventsOf('candidate.open_to_work')).toHaveLength(1);
    const forged = signer().sign({ k: 'e', m: messageId, e: 'candidate.hired' });
    expect((await stack.rawApp.request(`/t/${forged}`, { method: 'POST' })).status).toBe(404);
  });
});

describe('replies', () => {
  /** Posted as the provider does: the shared secret as the basic-auth password. */
  const basic = `Basic ${Buffer.from(`inbound:${INBOUND_EMAIL_SECRET}`).toString('base64')}`;
  const post = (body: unknown, authorization: string | null = basic) =>
    stack.rawApp.request('/inbound/email', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(authorization === null ? {} : { authorization }),
      },
      body: JSON.stringify(body),
    });

  it('are taken only from the provider holding the shared secret; a post without it stores nothing', async () => {
    const forged = {
      from: 'Lee <links@example.com>',
      text: 'Please stop all messages',
      message_id: '<forged-1@mail.example>',
      in_reply_to: replyTo,
    };
    for (const authorization of [null, 'Bearer not-the-secret', `Bearer ${INBOUND_EMAIL_SECRET}x`]) {
      const refused = await post(forged, authorization);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.headers.get('www-authenticate')).toContain('Basic realm=');
    }
    expect(await eventsOf('candidate.replied')).toEqual([]);
  });

  it('to a message become candidate.replied, once per reply', async () => {
    expect(replyTo).toMatch(/^<[\w-]+\.[\w-]{43}@rapport>$/);
    const reply = {
      from: 'Lee <links@example.com>',
      subject: 'Re: your application',
      text: 'Thanks! When can we talk?',
      message_id: '<reply-1@mail.example>',
      in_reply_to: replyTo,
    };
    const first = await post(reply);
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ candidate_id: candidateId, duplicate: false });
    expect(await (await post(reply)).json()).toMatchObject({ duplicate: true });
    const replies = await eventsOf('candidate.replied');
    expect(replies).toEqual([
      { data: expect.objectContaining({ message_id: messageId, text: 'Thanks! When can we talk?' }) },
    ]);
    await eventually(async () => {
      const [row] = await stack.db
        .sql`select count(*)::int as n from interactions where candidate_id = ${candidateId} and summary = 'candidate.replied'`;
      return row!.n === 1 ? true : undefined;
    });
  });

  it('posted in Postmark inbound format are read the same way (the secret as a bearer token too)', async () => {
    const res = await post(
      {
        From: 'links@example.com',
        FromFull: { Email: 'links@example.com' },
        Subject: 'Re: again',
        TextBody: 'Second reply',
        MessageID: 'pm-2',
        Headers: [{ Name: 'References', Value: `<other@mail.example> ${replyTo}` }],
      },
      `Bearer ${INBOUND_EMAIL_SECRET}`,
    );
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ candidate_id: candidateId, duplicate: false });
  });

  it.each([
    ['no reference', () => ({ from: 'a@example.com', text: 'hi' })],
    [
      'a forged reference',
      () => ({ from: 'a@example.com', in_reply_to: `<${tamper(replyTo.slice(1, -9))}@rapport>` }),
    ],
    [
      'a message id that is not signed',
      () => ({ from: 'a@example.com', in_reply_to: `<${messageId}@rapport>` }),
    ],
  ])('with %s are acknowledged and ignored', async (_name, body) => {
    const res = await post(body());
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ ignored: true });
  });

  it('that are not email answer 422 naming the field', async () => {
    const res = await post({ text: 'no sender' });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: { pointer: string }[] }).errors[0]!.pointer).toBe('/from');
  });
});

/** The token with its payload swapped for another's, the signature kept. */
function tamper(token: string): string {
  const [, signature] = token.split('.');
  const payload = Buffer.from(JSON.stringify({ k: 't', m: messageId, u: 'https://evil.example/' })).toString(
    'base64url',
  );
  return `${payload}.${signature}`;
}

describe('metrics', () => {
  it('count failed activity attempts by activity and failure type', async () => {
    stack.smtp.rejectNext(1, 451);
    await stack.app.request('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'candidate.applied', candidate: { email: 'retried@example.com' } }),
    });
    // The first attempt is refused for now; the retry five seconds later delivers.
    await stack.smtp.waitFor((m) => m.to.includes('retried@example.com'));
    const text = await (await stack.app.request('/metrics')).text();
    expect(text).toMatch(/^rapport_activity_failures_total\{activity="send",kind="DeliveryRetryable"\} 1$/m);
  });
});
