// The fault test: the worker process (`rapport worker`) is killed with SIGKILL again and again while 200
// journeys send. After a restart every journey completes, the outbox has exactly one row per step
// iteration, and the SMTP server received exactly one message per row marked sent, and never two for
// any row. A kill while connecting or in the SMTP envelope is retried: nothing can have been accepted.
// Only a kill after the message data was handed to the server (DATA accepted) leaves the outcome unknown
// (the server may or may not have taken the message): such a row is marked `unknown`, put on the
// timeline, and never re-sent.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { createApp } from '../../src/http/app.js';
import { loadLinkSigner } from '../../src/links/tokens.js';
import { publishPipelines } from '../../src/cli/publish.js';
import { createLogger } from '../../src/log.js';
import { adminKey, withKey } from '../helpers/api.js';
import { cleanEnv, startCli, type RunningCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { eventually } from '../helpers/stack.js';

const PIPELINES = path.resolve(import.meta.dirname, '../fixtures/pipelines-crash');
const JOURNEYS = 200;
const KILLS = 4;

let db: TestDatabase;
let smtp: TestSmtp;
let client: Client;
let worker: RunningCli | undefined;
const taskQueue = `crash-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  db = await createTestDatabase();
  smtp = await startSmtp();
  await publishPipelines(db.sql, PIPELINES);
  client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
});
afterAll(async () => {
  worker?.child.kill('SIGKILL');
  await client?.connection.close();
  await smtp?.close();
  await db?.drop();
});

async function startWorker(): Promise<RunningCli> {
  const cli = startCli(
    ['worker'],
    cleanEnv({
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      RAPPORT_TASK_QUEUE: taskQueue,
      RAPPORT_PIPELINES_DIR: PIPELINES,
      SMTP_URL: smtp.url,
      LOG_LEVEL: 'info',
    }),
  );
  await cli.waitForOutput('worker running', 60_000);
  return cli;
}

const count = async (query: Promise<{ n: number }[]>) => (await query)[0]!.n;

describe('a worker killed while journeys send', () => {
  it('completes every journey with one outbox row per step iteration and one message per row', async () => {
    const app = withKey(
      createApp({
        sql: db.sql,
        temporal: client,
        taskQueue,
        log: createLogger('silent'),
        sources: new Map(),
        links: await loadLinkSigner(db.sql),
      }),
      await adminKey(db.sql),
    );
    worker = await startWorker();
    for (let i = 0; i < JOURNEYS; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, async (_, k) => {
          const res = await app.request('/v1/events', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              type: 'candidate.sourced',
              candidate: {
                email: `c${i + k}@example.com`,
                first_name: `C${i + k}`,
                consent: { email: true },
              },
            }),
          });
          expect(res.status).toBe(202);
        }),
      );
    }

    // Kill it while messages are going out, a few times, each once more have been sent.
    let kills = 0;
    while (kills < KILLS) {
      const before = smtp.received.length;
      await eventually(
        () =>
          Promise.resolve(
            smtp.received.length >= before + 15 || smtp.received.length >= JOURNEYS * 2 ? true : undefined,
          ),
        120_000,
      );
      if (smtp.received.length >= JOURNEYS * 2) break;
      worker.child.kill('SIGKILL');
      await worker.exited;
      kills += 1;
      worker = await startWorker();
    }
    expect(kills).toBeGreaterThan(1);

    await eventually(async () => {
      const done = await count(db.sql<{ n: number }[]>`
        select count(*)::int as n from journeys where status = 'completed'`);
      return done === JOURNEYS ? true : undefined;
    }, 300_000);

    const rows = await db.sql<{ id: string; status: string; n: number }[]>`
      select m.id, m.status, count(*) over (partition by m.idempotency_key)::int as n from messages m`;
    // One row per journey and send step; the unique idempotency key allows no other outcome.
    expect(rows).toHaveLength(JOURNEYS * 2);
    const steps = await db.sql<{ n: number }[]>`
      select count(*)::int as n from messages group by journey_id, step having count(*) <> 1`;
    expect(steps).toEqual([]);

    // Exactly one SMTP message per row delivered; none twice, none for a row not marked sent.
    await new Promise((r) => setTimeout(r, 1000));
    const perRow = new Map<string, number>();
    for (const mail of smtp.received) {
      const id = String(mail.headers.get('x-rapport-message'));
      perRow.set(id, (perRow.get(id) ?? 0) + 1);
    }
    expect([...perRow.values()].filter((n) => n > 1)).toEqual([]);
    const byStatus: Record<string, { id: string; status: string }[]> = {};
    for (const row of rows) (byStatus[row.status] ??= []).push(row);
    for (const row of byStatus.sent ?? []) expect(perRow.get(row.id)).toBe(1);
    // A kill between the handover of the data and the row's update leaves the outcome unknown: recorded
    // as such, never re-sent. Nothing is left pending or in flight.
    expect(Object.keys(byStatus).filter((s) => s !== 'sent' && s !== 'unknown')).toEqual([]);
    // Only a row whose data was handed over is unknown; one killed before that was delivered by a retry.
    expect(
      await count(db.sql<{ n: number }[]>`
        select count(*)::int as n from messages where status = 'unknown' and data_sent_at is null`),
    ).toBe(0);
    for (const row of byStatus.unknown ?? []) expect(perRow.get(row.id) ?? 0).toBeLessThanOrEqual(1);
    // Each unknown outcome is on the candidate's timeline for a recruiter to check: none is silent.
    const told = await db.sql<{ message_id: string }[]>`
      select message_id from interactions where kind = 'message.unknown'`;
    expect(told.map((t) => t.message_id).sort()).toEqual((byStatus.unknown ?? []).map((r) => r.id).sort());
    expect(smtp.received.length).toBe(perRow.size);
    console.log(
      `worker killed ${kills} times: ${rows.length} outbox rows, ${byStatus.sent?.length ?? 0} sent, ` +
        `${byStatus.unknown?.length ?? 0} unknown, ${smtp.received.length} SMTP messages`,
    );
  }, 600_000);
});
