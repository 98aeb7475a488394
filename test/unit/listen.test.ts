// The API server keeps idle keep-alive connections longer than node's 5-second default, so a client that
// comes back after a pause reuses its connection instead of racing the server closing it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/http/listen.js';

const app = new Hono().get('/ping', (c) => c.text('pong'));
let server: ServerType | undefined;
afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

describe('the API server', () => {
  it('keeps an idle keep-alive connection past node’s 5-second default', { timeout: 20_000 }, async () => {
    server = await listen(app.fetch, 0, '127.0.0.1');
    let connections = 0;
    server.on('connection', () => (connections += 1));
    const { port } = server.address() as AddressInfo;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<string>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/ping', agent }, (res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString()));
            res.on('end', () => resolve(body));
          })
          .on('error', reject);
      });
    expect(await get()).toBe('pong');
    await new Promise((resolve) => setTimeout(resolve, 6000));
    expect(await get()).toBe('pong');
    expect(connections).toBe(1);
    agent.destroy();
  });
});
