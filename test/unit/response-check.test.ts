// Answers are checked against the response schema their operation documents: a drifting answer fails
// loudly in tests (strict) and is logged in production.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { checkResponses } from '../../src/api/response-check.js';
import { createLogger } from '../../src/log.js';

function app(strict: boolean, body: unknown) {
  const a = new Hono();
  a.use('/v1/*', checkResponses(createLogger('silent'), strict));
  a.get('/v1/tasks/:id', (c) => c.json(body)); // no response schema documented
  a.get('/v1/messages/:id', (c) => c.json(body));
  return a;
}

const message = {
  id: 'm1',
  candidate_id: null,
  journey_id: null,
  step: null,
  channel: 'email',
  template: 'hello',
  to_address: 'a@example.com',
  subject: 'Hi',
  status: 'sent',
  status_reason: null,
  attempts: 1,
  created_at: '2026-11-25T10:00:00.000Z',
  sent_at: '2026-11-25T10:00:01.000Z',
  updated_at: '2026-11-25T10:00:01.000Z',
};

describe('response checks', () => {
  it('let an answer that matches its schema through unchanged', async () => {
    const res = await app(true, message).request('/v1/messages/m1');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(message);
  });

  it('turn an answer that drifted into a 500 naming the field, when strict', async () => {
    const res = await app(true, { ...message, status: 'delivered' }).request('/v1/messages/m1');
    expect(res.status).toBe(500);
    expect(((await res.json()) as { detail: string }).detail).toContain('message.schema.json: /status');
  });

  it('only log it otherwise, and leave routes without a response schema alone', async () => {
    expect((await app(false, { status: 'delivered' }).request('/v1/messages/m1')).status).toBe(200);
    expect((await app(true, { anything: 1 }).request('/v1/tasks/t1')).status).toBe(200);
  });
});
