// While PostgreSQL or Temporal cannot be reached, requests answer 503 problem+json with Retry-After —
// never 500 — /readyz names what is down, and the log says so once per outage, not once per request.
// PostgreSQL here is a real server of the test's own, stopped under load and started again.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/db/api-keys.js';
import { createSql, type Sql } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { publishPipelines } from '../../src/cli/publish.js';
import { startEmbeddedPostgres, type RunningPostgres } from '../../src/embedded/postgres.js';
import { createApp } from '../../src/http/app.js';
import { freePort } from '../helpers/ports.js';
import { eventually, PIPELINES_DIR, startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let dataDir: string;
let port: number;
let pg: RunningPostgres | undefined;
let sql: Sql;
beforeAll(async () => {
  stack = await startStack();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'rapport-outage-'));
  await fs.chmod(dataDir, 0o755);
  port = await freePort();
  pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port });
  sql = createSql(pg.url);
  await migrate(sql);
  await publishPipelines(sql, PIPELINES_DIR);
});
afterAll(async () => {
  await sql?.end({ timeout: 1 });
  await pg?.stop();
  await stack?.stop();
  await fs.rm(dataDir, { recursive: true, force: true });
});

/** An app on the test's own PostgreSQL and the given Temporal, logging into `log`. */
const appOn = (temporal: Client, log: pino.Logger) =>
  createApp({
    sql,
    temporal,
    taskQueue: stack.taskQueue,
    log,
    sources: new Map(),
    links: stack.deps.links!.signer,
    keyCacheMs: 0,
  });

/** A logger whose lines the test reads. */
function capturedLog() {
  const lines: { level: number; msg: string; refused?: number; dependency?: string }[] = [];
  const log = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) },
  );
  return { log, lines };
}

interface ProblemBody {
  status: number;
  detail: string;
}

describe('a dependency out of reach', () => {
  it('makes every request answer 503 with Retry-After while PostgreSQL is down, logs it once, and serves again once it is back', async () => {
    const { log, lines } = capturedLog();
    const { key } = await createApiKey(sql, { name: 'outage', scopes: ['*'] });
    const app = appOn(stack.client, log);
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const search = async () => app.request('/v1/candidates', { headers });
    const post = async (i: number) =>
      app.request('/v1/events', {
        method: 'POST',
        headers,
        body: JSON.stringify({ type: 'candidate.sourced', candidate: { email: `outage${i}@example.com` } }),
      });
    expect((await search()).status).toBe(200);

    await pg!.stop();
    pg = undefined;
    // Under load: searches, events, reads of one candidate.
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 3 === 0
          ? search()
          : i % 3 === 1
            ? post(i)
            : Promise.resolve(app.request(`/v1/candidates/${crypto.randomUUID()}`, { headers })),
      ),
    );
    for (const res of answers) {
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.headers.get('retry-after')).toBe('5');
      expect(((await res.json()) as ProblemBody).detail).toMatch(/PostgreSQL cannot be reached/);
    }
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(503);
    const checks = ((await ready.json()) as { checks: Record<string, string> }).checks;
    expect(checks.postgres).toBe('unavailable');
    expect(checks.temporal).toBe('ok');
    // One line for the outage; no request failure logged with its stack.
    expect(lines.filter((l) => l.msg.includes('PostgreSQL is unreachable'))).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'request failed')).toEqual([]);

    pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port });
    await eventually(async () => ((await search()).status === 200 ? true : undefined), 30_000);
    expect((await post(100)).status).toBe(202);
    const back = await eventually(() =>
      Promise.resolve(lines.find((l) => l.msg.includes('PostgreSQL is reachable again'))),
    );
    expect(back.refused).toBeGreaterThanOrEqual(30);
  });

  it('answers 503 with Retry-After when Temporal cannot be reached for an operation that needs it', async () => {
    const { log, lines } = capturedLog();
    const away = new Client({
      connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 200 }),
      namespace: 'default',
    });
    const { key } = await createApiKey(sql, { name: 'temporal-away', scopes: ['*'] });
    const app = appOn(away, log);
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const created = await app.request('/v1/candidates', {
      method: 'POST',
      headers,
      body: JSON.stringify({ email: 'temporal-away@example.com' }),
    });
    const { id } = (await created.json()) as { id: string };
    const enroll = await app.request(`/v1/candidates/${id}/journeys`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ playbook: 'nurture-company-updates' }),
    });
    expect(enroll.status).toBe(503);
    expect(enroll.headers.get('retry-after')).toBe('5');
    expect(((await enroll.json()) as ProblemBody).detail).toMatch(/Temporal cannot be reached/);
    expect(lines.filter((l) => l.msg.includes('Temporal is unreachable'))).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'request failed')).toEqual([]);
  });
});
