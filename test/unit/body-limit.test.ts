// Request bodies over the limit are answered 413 problem+json however they arrive: announced by
// Content-Length, chunked, or handed to the app in-process; bodies under it reach the handler whole.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limitBodies } from '../../src/http/body-limit.js';
import { Problem, problemResponse } from '../../src/http/problem.js';

const LIMIT = 1000;
const app = new Hono();
app.use('*', limitBodies(LIMIT));
app.post('/echo', async (c) => c.json({ length: (await c.req.text()).length }));
app.get('/echo', (c) => c.json({ ok: true }));
app.onError((error, c) =>
  error instanceof Problem ? problemResponse(c, error) : c.json({ error: String(error) }, 500),
);

let server: ServerType;
let port: number;
beforeAll(async () => {
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A POST over a real socket, its body sent with Content-Length or in chunks. */
function post(body: string, chunked: boolean): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/echo',
        headers: chunked
          ? { 'content-type': 'text/plain' }
          : { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body: text }),
        );
      },
    );
    req.on('error', reject);
    if (chunked) {
      // Several writes before end: node sends Transfer-Encoding: chunked.
      for (let i = 0; i < body.length; i += 300) req.write(body.slice(i, i + 300));
      req.end();
    } else req.end(body);
  });
}

describe('body limit', () => {
  for (const chunked of [false, true]) {
    const how = chunked ? 'chunked' : 'with Content-Length';
    it(`lets a body under the limit through whole (${how})`, async () => {
      const res = await post('x'.repeat(LIMIT), chunked);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ length: LIMIT });
    });

    it(`answers a body over the limit 413 problem+json (${how})`, async () => {
      const res = await post('x'.repeat(LIMIT + 1), chunked);
      expect(res.status).toBe(413);
      expect(res.type).toBe('application/problem+json');
      expect(JSON.parse(res.body)).toMatchObject({ status: 413, title: 'Payload too large' });
    });
  }

  it('counts a body handed over in-process, which announces no length', async () => {
    const over = await app.request('/echo', { method: 'POST', body: 'x'.repeat(LIMIT + 1) });
    expect(over.status).toBe(413);
    const under = await app.request('/echo', { method: 'POST', body: 'x'.repeat(10) });
    expect(await under.json()).toEqual({ length: 10 });
  });

  it('leaves requests without a body alone', async () => {
    expect((await app.request('/echo')).status).toBe(200);
  });
});
