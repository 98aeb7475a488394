// A long-lived candidate workflow continues as new whenever Temporal suggests it. Here a dev server of
// its own suggests it every 40 history events, while replies keep arriving in bursts: the journey
// carries on across runs, and every reply is received exactly once.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTemporalDevServer, type DevServer } from '../../src/embedded/temporal-server.js';
import { freePort } from '../helpers/ports.js';
import { keepHistory } from '../helpers/histories.js';
import { eventually, startStack, type Stack } from '../helpers/stack.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/pipelines-lifecycle');
let server: DevServer;
let stack: Stack;
let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rapport-can-'));
  server = await startTemporalDevServer({
    binary: inject('temporalBinary'),
    dbFile: path.join(dir, 'temporal.sqlite'),
    port: await freePort(),
    namespace: 'default',
    extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=40'],
  });
  stack = await startStack(FIXTURES, { temporalAddress: server.address });
});
afterAll(async () => {
  await stack?.stop();
  await server?.stop();
  await fs.rm(dir, { recursive: true, force: true });
});

const REPLIES = 60;

async function post(type: string, id: string) {
  const res = await stack.app.request('/v1/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, type, candidate: { email: 'long@example.com', consent: { email: true } } }),
  });
  expect(res.status).toBe(202);
  return (await res.json()) as { candidate_id: string; workflow_id: string };
}

describe('continue-as-new', () => {
  it('carries a running journey across runs while events keep arriving, losing none', async () => {
    const { candidate_id, workflow_id } = await post('candidate.open_to_work', 'start');
    // Replies in bursts of five at a time, some of them retried by the sender.
    for (let i = 0; i < REPLIES; i += 5) {
      await Promise.all(Array.from({ length: 5 }, (_, k) => post('candidate.replied', `reply-${i + k}`)));
      if (i % 20 === 0) await post('candidate.replied', `reply-${i}`);
      // Bursts a moment apart: the workflow takes them in several tasks, and is told to continue as new
      // between them (a task of local activities alone never hears the suggestion until it ends).
      await new Promise((r) => setTimeout(r, 150));
    }
    const received = await eventually(async () => {
      const rows = await stack.db.sql<{ n: number }[]>`
        select count(*)::int as n from interactions where candidate_id = ${candidate_id} and kind = 'journey.received'`;
      return rows[0]!.n >= REPLIES ? rows[0]!.n : undefined;
    }, 90_000);
    expect(received).toBe(REPLIES);

    const runs: string[] = [];
    const continued: string[] = [];
    for await (const run of stack.client.workflow.list({ query: `WorkflowId = '${workflow_id}'` })) {
      runs.push(run.status.name);
      if (run.status.name === 'CONTINUED_AS_NEW') continued.push(run.runId);
    }
    expect(runs.filter((s) => s === 'CONTINUED_AS_NEW').length).toBeGreaterThan(2);
    expect(runs.filter((s) => s === 'RUNNING')).toHaveLength(1);

    // Still the one journey, still listening; an exit event ends it and the workflow completes.
    const journeys = await stack.db.sql<{ status: string }[]>`
      select status from journeys where candidate_id = ${candidate_id}`;
    expect(journeys).toEqual([{ status: 'waiting' }]);
    await post('candidate.hired', 'hired');
    await stack.client.workflow.getHandle(workflow_id).result();
    // A run that began with a carried journey and ended by continuing as new, and the last one.
    await keepHistory(stack.client, 'continued-as-new', workflow_id, continued[1]);
    await keepHistory(stack.client, 'continued-then-exited', workflow_id);
    const ended = await stack.db.sql<{ status: string; exit_reason: string }[]>`
      select status, exit_reason from journeys where candidate_id = ${candidate_id}`;
    expect(ended).toEqual([{ status: 'exited', exit_reason: 'candidate.hired' }]);
    expect(
      await stack.db
        .sql`select 1 from interactions where candidate_id = ${candidate_id} and kind = 'journey.received'`,
    ).toHaveLength(REPLIES);
  });
});
