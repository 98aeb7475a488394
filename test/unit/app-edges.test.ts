// The app's promises at its edges, checked on the real app with nothing behind it (PostgreSQL and
// Temporal stand-ins): every route limits its body — an HTML form to 64 KiB with a short page, anything
// else to 1 MiB with 413 problem+json — however the body arrives; /readyz says only `ok` or
// `unavailable`, and logs why; /metrics runs no query for a caller without a key.
import type { Client } from '@temporalio/client';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Sql } from '../../src/db/client.js';
import { createApp } from '../../src/http/app.js';
import { MAX_BODY_BYTES, MAX_FORM_BYTES, takesForms } from '../../src/http/body-limit.js';
import { answersOf } from '../../src/http/openapi.js';
import { OPERATIONS } from '../../src/http/operations.js';
import type { EventDelivery } from '../../src/intake/event-delivery.js';
import { linkSigner } from '../../src/links/tokens.js';

/** A database that is never there: every query fails as a refused connection would, and is counted. */
function downDatabase() {
  const queries: string[] = [];
  const sql = ((strings: TemplateStringsArray) => {
    queries.push(strings.join('?'));
    return Promise.reject(
      Object.assign(new Error('connect ECONNREFUSED 10.9.8.7:5432'), { code: 'ECONNREFUSED' }),
    );
  }) as unknown as Sql;
  return { sql, queries };
}

function temporal(answer: () => Promise<unknown>): Client {
  return { connection: { workflowService: { getSystemInfo: answer } } } as unknown as Client;
}

function appWith(options: { temporalUp?: boolean } = {}) {
  const { sql, queries } = downDatabase();
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  const app = createApp({
    sql,
    temporal: temporal(() =>
      options.temporalUp === false
        ? Promise.reject(new Error('14 UNAVAILABLE: No connection established to temporal.internal:7233'))
        : Promise.resolve({}),
    ),
    taskQueue: 'edges',
    log,
    sources: new Map(),
    links: linkSigner('edges'),
    delivery: {} as EventDelivery,
  });
  return { app, queries, lines };
}

type Arrival = 'with Content-Length' | 'chunked';

/** A POST (or the operation's method) of `bytes` bytes, announced by Content-Length or streamed in chunks. */
function send(app: ReturnType<typeof createApp>, method: string, path: string, bytes: number, how: Arrival) {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (how === 'with Content-Length') {
    headers['content-length'] = String(bytes);
    return app.request(path, { method, headers, body: 'x'.repeat(bytes) });
  }
  const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
  let left = bytes;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (left <= 0) return controller.close();
      controller.enqueue(chunk.subarray(0, Math.min(left, chunk.length)));
      left -= chunk.length;
    },
  });
  // A streamed body: no Content-Length, as a chunked request reaches the app.
  return app.request(path, { method, headers, body, duplex: 'half' });
}

/** Every operation that takes a body, with a path that reaches it. */
const WITH_BODIES = OPERATIONS.filter((op) => op.method !== 'get').map((op) => ({
  name: `${op.method.toUpperCase()} ${op.path}`,
  method: op.method.toUpperCase(),
  path: op.path.replace(/\{\w+\}/g, 'x'),
  form: takesForms(op),
}));

describe('request bodies', () => {
  it('are limited on every route that takes one: forms (the console, sign-in, link pages) to 64 KiB', () => {
    const forms = WITH_BODIES.filter((r) => r.form).map((r) => r.name);
    expect(forms).toEqual(
      expect.arrayContaining(['POST /sign-in', 'POST /sign-out', 'POST /t/{token}', 'POST /u/{token}']),
    );
    expect(forms.filter((name) => name.includes('/v1/'))).toEqual([]);
    expect(MAX_FORM_BYTES).toBe(64 * 1024);
  });

  for (const how of ['with Content-Length', 'chunked'] as const)
    describe(how, () => {
      it.each(WITH_BODIES)('answers a body over its limit 413: $name', async (route) => {
        const { app, queries } = appWith();
        const limit = route.form ? MAX_FORM_BYTES : MAX_BODY_BYTES;
        const res = await send(app, route.method, route.path, limit + 1, how);
        expect(res.status).toBe(413);
        if (route.form) {
          expect(res.headers.get('content-type')).toMatch(/^text\/html/);
          expect(await res.text()).toContain('64 KiB');
        } else {
          expect(res.headers.get('content-type')).toBe('application/problem+json');
          expect(await res.json()).toMatchObject({ status: 413, title: 'Payload too large' });
        }
        // Refused before anything looked at the request: no session, key or CSRF lookup.
        expect(queries).toEqual([]);
      });

      it('lets a form under its limit through to its page', async () => {
        const { app } = appWith();
        // An unknown link: its page, not a refusal of the body.
        const res = await send(app, 'POST', '/u/not-a-token', MAX_FORM_BYTES - 1, how);
        expect(res.status).toBe(404);
        expect(await res.text()).toContain('This unsubscribe link is not valid.');
      });

      it('limits a route that does not exist too', async () => {
        const { app } = appWith();
        const res = await send(app, 'POST', '/nowhere', MAX_BODY_BYTES + 1, how);
        expect(res.status).toBe(413);
      });
    });

  it('answers an oversized console form with the console’s page, under its policy', async () => {
    const { app } = appWith();
    const res = await send(app, 'POST', '/sign-in', MAX_FORM_BYTES + 1, 'chunked');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await res.text()).toContain('<title>Too large · Rapport</title>');
  });

  it('documents the 413 of every operation that takes a body', () => {
    for (const op of OPERATIONS.filter((o) => o.method !== 'get'))
      expect(answersOf(op)[413], `${op.method} ${op.path}`).toBeDefined();
  });
});

describe('/readyz', () => {
  it('says only which dependency is unavailable, and logs why', async () => {
    const { app, lines } = appWith({ temporalUp: false });
    const res = await app.request('/readyz');
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      status: 'not ready',
      checks: { postgres: 'unavailable', temporal: 'unavailable' },
    });
    expect(text).not.toMatch(/10\.9\.8\.7|temporal\.internal|ECONNREFUSED/);
    const logged = lines.filter((l) => l.msg === 'readiness check failed');
    expect(logged.map((l) => l.dependency).sort()).toEqual(['postgres', 'temporal']);
    expect(JSON.stringify(logged)).toContain('10.9.8.7');
  });

  it('says ok for a dependency that answers', async () => {
    const res = await appWith().app.request('/readyz');
    expect(((await res.json()) as { checks: unknown }).checks).toEqual({
      postgres: 'unavailable',
      temporal: 'ok',
    });
  });
});

describe('/metrics', () => {
  it('needs an API key: without one it is 401 and runs no query', async () => {
    const { app, queries } = appWith();
    const res = await app.request('/metrics');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="rapport"');
    expect(queries).toEqual([]);
  });
});
