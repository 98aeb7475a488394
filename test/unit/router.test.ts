// The router serves operations as they are defined: typed query parameters (an empty value is absent),
// path ids checked, 405 with Allow for a known path, and answers checked against the schema of their
// status — a drifting answer is a 500 naming the field in tests, and only logged in production.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { ApiDeps } from '../../src/http/deps.js';
import type { AuthEnv } from '../../src/http/auth.js';
import { operation, PAGE_QUERY, UUID_PARAM } from '../../src/http/operation.js';
import { Problem, problemResponse } from '../../src/http/problem.js';
import type { RequestEnv } from '../../src/http/request-log.js';
import { guard, serve } from '../../src/http/router.js';
import { LONE_SURROGATE, MAX_JSON_DEPTH, NUL } from '../../src/http/storable.js';
import { createLogger } from '../../src/log.js';

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

function app(strict: boolean, answer: unknown = message) {
  const operations = [
    operation<{ limit?: number; tag?: string[]; status?: 'open' | 'closed' }>({
      method: 'get',
      path: '/v1/things',
      summary: 'Things',
      access: { public: 'a test' },
      query: {
        ...PAGE_QUERY,
        tag: { description: 'Tags', schema: { type: 'string' }, repeated: true },
        status: { description: 'Status', schema: { enum: ['open', 'closed'] } },
      },
      answers: { 200: { description: 'The query as typed' } },
      handle: (c, { query }) => c.json(query),
    }),
    operation({
      method: 'get',
      path: '/v1/messages/{id}',
      summary: 'A message',
      access: { public: 'a test' },
      params: { id: { ...UUID_PARAM, description: 'Message (UUID)' } },
      answers: { 200: { description: 'The message', schema: 'message.schema.json' } },
      handle: (c) => c.json(answer),
    }),
    operation({
      method: 'delete',
      path: '/v1/messages/{id}',
      summary: 'Answers a status it does not declare',
      access: { public: 'a test' },
      answers: { 204: { description: 'Gone' } },
      handle: (c) => c.json({}, 202),
    }),
    operation({
      method: 'post',
      path: '/v1/notes',
      summary: 'Takes a note',
      access: { public: 'a test' },
      body: { json: 'note.schema.json' },
      answers: { 201: { description: 'Taken' } },
      handle: (c) => c.json({}, 201),
    }),
  ];
  const a = new Hono<RequestEnv & AuthEnv>();
  const options = {
    verify: () => Promise.resolve(undefined),
    limit: (_c: unknown, next: () => Promise<void>) => next(),
    log: createLogger('silent'),
    strict,
  };
  a.use('*', guard(options));
  serve(a, operations, {} as ApiDeps, options);
  a.onError((error, c) => {
    if (error instanceof Problem) return problemResponse(c, error);
    throw error;
  });
  return a;
}

const json = async (res: Response) => (await res.json()) as Record<string, unknown>;

describe('the router', () => {
  it('types query parameters by their schema, lists repeated ones, and treats empty values as absent', async () => {
    const res = await app(true).request('/v1/things?limit=20&tag=a&tag=b&status=');
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ limit: 20, tag: ['a', 'b'] });
    expect(await json(await app(true).request('/v1/things?limit='))).toEqual({ limit: 50 });
  });

  it.each([
    ['limit=abc', '?limit', 'must be integer'],
    ['limit=0', '?limit', 'must be >= 1'],
    ['status=lost', '?status', 'must be one of: open, closed'],
    ['limit=1&limit=2', '?limit', 'may be given once'],
  ])('refuses ?%s with 422 naming the parameter', async (query, pointer, detail) => {
    const res = await app(true).request(`/v1/things?${query}`);
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect((await json(res)).errors).toEqual([{ pointer, detail }]);
  });

  it('answers 404 for a path id that is not one, and 405 with Allow for a method the path does not have', async () => {
    expect((await app(true).request('/v1/messages/not-a-uuid')).status).toBe(404);
    const res = await app(true).request('/v1/things', { method: 'PUT' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect((await app(true).request('/v1/nothing-here')).status).toBe(404);
  });

  it('lets an answer that matches its schema through unchanged', async () => {
    const res = await app(true).request('/v1/messages/00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(message);
  });

  it('turns an answer that drifted, or a status the operation does not declare, into a 500 when strict', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const drifted = await app(true, { ...message, status: 'delivered' }).request(`/v1/messages/${id}`);
    expect(drifted.status).toBe(500);
    expect((await json(drifted)).detail).toContain('message.schema.json: /status');
    const undeclared = await app(true).request(`/v1/messages/${id}`, { method: 'DELETE' });
    expect(undeclared.status).toBe(500);
    expect((await json(undeclared)).detail).toContain('answered 202, which it does not declare');
  });

  const post = (body: string) =>
    app(true).request('/v1/notes', { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('refuses a body nested deeper than 64 levels with 422 at the first level too deep, never a 500', async () => {
    // The check that looked for NUL recursed once per level: 100,000 levels exhausted the stack.
    const res = await post(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(res.status).toBe(422);
    expect((await json(res)).errors).toEqual([
      {
        pointer: '/0'.repeat(MAX_JSON_DEPTH),
        detail: `nests more than ${MAX_JSON_DEPTH} levels of objects and lists`,
      },
    ]);
  });

  it('refuses text PostgreSQL cannot store, NUL or a lone surrogate, in a value or a key, naming each', async () => {
    // A lone surrogate reached the jsonb columns, which refused it with a 500.
    const res = await post('{"text": "Ada \\ud800", "author": "a@example.com", "x\\u0000": {"\\udc00": 1}}');
    expect(res.status).toBe(422);
    expect((await json(res)).errors).toEqual([
      { pointer: '/text', detail: LONE_SURROGATE },
      { pointer: '/x\u0000', detail: NUL },
    ]);
    const pair = await post('{"text": "Ada \\ud83d\\ude00", "author": "a@example.com"}');
    expect(pair.status).toBe(201);
  });

  it('only logs it otherwise', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    expect((await app(false, { status: 'delivered' }).request(`/v1/messages/${id}`)).status).toBe(200);
  });
});
