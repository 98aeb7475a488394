// The request log line: one per request, with its id, and never a credential that is part of a path.
import { Writable } from 'node:stream';
import { Hono } from 'hono';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { requestLog, type RequestEnv } from '../../src/http/request-log.js';

function appWithLog() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const app = new Hono<RequestEnv>();
  app.use(...requestLog(pino(sink)));
  app.get('/sign-in/link/:token', (c) => c.text('ok'));
  app.get('/candidates/:id', (c) => c.text('ok'));
  return { app, lines };
}

describe('the request log', () => {
  it('shows a token in a path as …, and every other segment as it was', async () => {
    const { app, lines } = appWithLog();
    await app.request('/sign-in/link/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');
    await app.request('/candidates/0b8e5c1e-4a7e-4f59-9d8e-2f1c3a6b7d90');
    await app.request('/nowhere/abc');
    expect(lines.map((l) => l.path)).toEqual([
      '/sign-in/link/…',
      '/candidates/0b8e5c1e-4a7e-4f59-9d8e-2f1c3a6b7d90',
      '/nowhere/abc',
    ]);
    expect(lines.every((l) => typeof l.requestId === 'string')).toBe(true);
  });
});
