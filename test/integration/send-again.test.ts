// Sending a message again after its delivery was unknown: through the API and the console's attention
// list, once however often it is asked (two tabs at once included), consent checked again, and the
// message off the attention list afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/db/api-keys.js';
import { attention } from '../../src/db/attention.js';
import { getTimeline } from '../../src/db/candidates.js';
import { jsonCaller, type JsonCall } from '../helpers/api.js';
import { postSignIn } from '../helpers/console.js';
import { eventually, startStack, type Stack } from '../helpers/stack.js';
import { unknownMessage as unknownFor } from '../helpers/unknown-message.js';

let stack: Stack;
let call: JsonCall;
beforeAll(async () => {
  stack = await startStack();
  call = jsonCaller(stack.app);
});
afterAll(async () => {
  await stack?.stop();
});

const unknownMessage = () => unknownFor(stack);

const deliveredTo = (email: string) => stack.smtp.received.filter((m) => m.to.includes(email));
const listed = async (id: string) => (await attention(stack.db.sql)).messages.some((m) => m.id === id);

interface MessageBody {
  id: string;
  status: string;
  again_of: string | null;
  sent_again_as: string | null;
  status_reason: string | null;
}

describe('sending a message again', () => {
  it('delivers it once when asked twice at once, and takes it off the attention list', async () => {
    const m = await unknownMessage();
    expect(await listed(m.messageId)).toBe(true);
    expect(deliveredTo(m.email)).toHaveLength(1);

    const asked = await Promise.all(
      [1, 2].map(() => call<MessageBody>('POST', `/v1/messages/${m.messageId}/send-again`)),
    );
    expect(asked.map((a) => a.status).sort()).toEqual([202, 409]);
    const accepted = asked.find((a) => a.status === 202)!;
    expect(accepted.body).toMatchObject({ status: 'pending', again_of: m.messageId });
    expect(accepted.headers.get('location')).toBe(`/v1/messages/${accepted.body.id}`);

    const again = await eventually(async () => {
      const one = await call<MessageBody>('GET', `/v1/messages/${accepted.body.id}`);
      return one.body.status === 'sent' ? one.body : undefined;
    });
    expect(again.again_of).toBe(m.messageId);
    const mails = deliveredTo(m.email);
    expect(mails).toHaveLength(2);
    expect(String(mails[1]!.headers.get('x-rapport-message'))).toBe(again.id);
    expect(mails[1]!.subject).toBe(mails[0]!.subject);

    const original = await call<MessageBody>('GET', `/v1/messages/${m.messageId}`);
    expect(original.body).toMatchObject({ status: 'unknown', sent_again_as: again.id });
    expect(original.body.status_reason).toContain('sent again by test');
    expect(await listed(m.messageId)).toBe(false);
    const [row] = await stack.db.sql<{ idempotency_key: string; original: string }[]>`
      select a.idempotency_key, o.idempotency_key as original
      from messages a join messages o on o.id = a.again_of where a.id = ${again.id}`;
    expect(row!.idempotency_key).toBe(`${row!.original}/again/1`);
    const timeline = await getTimeline(stack.db.sql, m.candidateId);
    expect(timeline.map((t) => [t.kind, t.message_id])).toEqual([
      ['message.unknown', m.messageId],
      ['message.sent', again.id],
    ]);

    // Asked again later: refused, nothing more sent.
    const later = await call<{ detail: string }>('POST', `/v1/messages/${m.messageId}/send-again`);
    expect(later.status).toBe(409);
    expect(later.body.detail).toContain('sent again already');
    await new Promise((r) => setTimeout(r, 300));
    expect(deliveredTo(m.email)).toHaveLength(2);
  });

  it('is refused for a message whose delivery is known, and for one that does not exist', async () => {
    const m = await unknownMessage();
    await stack.db.sql`update messages set status = 'failed' where id = ${m.messageId}`;
    const known = await call<{ detail: string }>('POST', `/v1/messages/${m.messageId}/send-again`);
    expect(known.status).toBe(409);
    expect(known.body.detail).toContain('is failed');
    const missing = await call('POST', '/v1/messages/00000000-0000-0000-0000-000000000000/send-again');
    expect(missing.status).toBe(404);
  });

  it('does not write to a candidate who unsubscribed since', async () => {
    const m = await unknownMessage();
    await stack.db.sql`update candidates set unsubscribed_at = now() where id = ${m.candidateId}`;
    const asked = await call<MessageBody>('POST', `/v1/messages/${m.messageId}/send-again`);
    expect(asked.status).toBe(202);
    const again = await eventually(async () => {
      const one = await call<MessageBody>('GET', `/v1/messages/${asked.body.id}`);
      return one.body.status === 'pending' ? undefined : one.body;
    });
    expect(again).toMatchObject({ status: 'suppressed', status_reason: 'unsubscribed' });
    expect(deliveredTo(m.email)).toHaveLength(1);
  });

  it('needs the messages:write scope', async () => {
    const m = await unknownMessage();
    const { key } = await createApiKey(stack.db.sql, { name: 'reader', scopes: ['messages:read'] });
    const refused = await stack.rawApp.request(`/v1/messages/${m.messageId}/send-again`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(refused.status).toBe(403);
  });
});

describe('the attention list’s "Send again"', () => {
  async function signIn(scopes: string[]) {
    const { key } = await createApiKey(stack.db.sql, { name: 'recruiter', scopes });
    const res = await postSignIn(stack.rawApp, key, '/');
    return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  }
  const page = async (path: string, cookie: string, init: RequestInit = {}) =>
    await stack.rawApp.request(path, { ...init, headers: { ...(init.headers as object), cookie } });
  const post = (path: string, cookie: string, fields: Record<string, string>) =>
    page(path, cookie, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });

  it('says the candidate may receive it twice, needs the CSRF token, and sends it once', async () => {
    const m = await unknownMessage();
    const cookie = await signIn(['*']);
    const home = await (await page('/', cookie)).text();
    const action = `action="/messages/${m.messageId}/send-again"`;
    expect(home).toContain(action);
    expect(home).toContain('may already have it and receive it twice');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home)![1]!;

    expect((await post(`/messages/${m.messageId}/send-again`, cookie, {})).status).toBe(403);
    // Two tabs post the form at once: one sends, the other is told it went already.
    const posted = await Promise.all(
      [1, 2].map(() => post(`/messages/${m.messageId}/send-again`, cookie, { _csrf: csrf })),
    );
    expect(posted.map((p) => p.status).sort()).toEqual([303, 409]);
    const location = posted.find((p) => p.status === 303)!.headers.get('location')!;
    expect(location).toMatch(/^\/messages\/[0-9a-f-]{36}$/);
    const refused = await posted.find((p) => p.status === 409)!.text();
    expect(refused).toContain('was sent again already');

    await eventually(() => Promise.resolve(deliveredTo(m.email).length === 2 ? true : undefined));
    const newPage = await (await page(location, cookie)).text();
    expect(newPage).toContain(`href="/messages/${m.messageId}"`);
    const oldPage = await (await page(`/messages/${m.messageId}`, cookie)).text();
    expect(oldPage).toContain(`href="${location}"`);
    expect(oldPage).not.toContain(action);
    expect(await (await page('/', cookie)).text()).not.toContain(action);
    await new Promise((r) => setTimeout(r, 300));
    expect(deliveredTo(m.email)).toHaveLength(2);
  });

  it('is not offered to a key that may only read, and refused if posted anyway', async () => {
    const m = await unknownMessage();
    const cookie = await signIn(['candidates:read', 'messages:read']);
    const home = await (await page('/', cookie)).text();
    expect(home).toContain(`href="/messages/${m.messageId}"`);
    expect(home).not.toContain(`action="/messages/${m.messageId}/send-again"`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home)?.[1] ?? '';
    const refused = await post(`/messages/${m.messageId}/send-again`, cookie, { _csrf: csrf });
    expect(refused.status).toBe(403);
  });
});
