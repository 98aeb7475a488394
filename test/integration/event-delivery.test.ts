// An accepted event is stored before the answer and reaches its workflow after it: when Temporal cannot be
// reached the answer is still 202 (or, over the backlog, 503 with Retry-After), the event stays stored and
// undelivered, and the sweep of the next process delivers it; the candidate's journey then runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { createApp } from '../../src/api/app.js';
import { createEventDelivery, type EventDelivery } from '../../src/api/event-delivery.js';
import { sweepUndelivered } from '../../src/api/event-sweep.js';
import { loadLinkSigner } from '../../src/links/tokens.js';
import { createLogger } from '../../src/log.js';
import { adminKey, withKey } from '../helpers/api.js';
import { freePort } from '../helpers/ports.js';
import { eventually, startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
/** A client whose Temporal is not there: nothing listens on its port. */
let unreachable: Client;
beforeAll(async () => {
  stack = await startStack();
  unreachable = new Client({
    connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 200 }),
    namespace: 'default',
  });
});
afterAll(async () => {
  await stack?.stop();
});

const log = createLogger('silent');

/** The API of a process whose Temporal cannot be reached, with its delivery queue. */
async function appWithoutTemporal(options: { backlog?: number; waitMs?: number } = {}) {
  const delivery = createEventDelivery({
    sql: stack.db.sql,
    temporal: unreachable,
    taskQueue: stack.taskQueue,
    log,
    retryMs: 50,
    ...options,
  });
  const app = createApp({
    sql: stack.db.sql,
    temporal: unreachable,
    taskQueue: stack.taskQueue,
    log,
    delivery,
    sources: new Map(),
    links: await loadLinkSigner(stack.db.sql),
    strictResponses: true,
  });
  return { app: withKey(app, await adminKey(stack.db.sql)), delivery };
}

const application = (id: string, email: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    id,
    source: 'acme-board',
    type: 'candidate.applied',
    candidate: { email, first_name: 'Grace' },
    data: { job: { title: 'Compiler Engineer' } },
  }),
});

const deliveredAt = async (eventId: string) =>
  (
    await stack.db.sql<{ delivered_at: Date | null }[]>`select delivered_at from events where id = ${eventId}`
  )[0]?.delivered_at ?? null;

/** The acknowledgement journey that an application enrolls the candidate in, once it has started. */
const acknowledgement = (candidateId: string) =>
  eventually(async () => {
    const [journey] = await stack.db.sql<{ status: string }[]>`
      select status from journeys
      where candidate_id = ${candidateId} and playbook = 'engage-acknowledge-application'`;
    return journey;
  });

async function stopped(delivery: EventDelivery) {
  await delivery.stop(0);
  expect(delivery.waiting).toBe(1);
}

describe('event delivery', () => {
  it('answers 202 while Temporal is away; the sweep delivers the stored event and its journey runs', async () => {
    const { app, delivery } = await appWithoutTemporal();
    const res = await app.request('/v1/events', application('away-1', 'grace.away@example.com'));
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { event_id: string; candidate_id: string };
    // The process stops (or dies) before Temporal answers: the event is stored, not delivered.
    await stopped(delivery);
    expect(await deliveredAt(accepted.event_id)).toBeNull();
    await expect(
      stack.client.workflow.getHandle(`candidate/${accepted.candidate_id}`).describe(),
    ).rejects.toBeInstanceOf(WorkflowNotFoundError);

    // The next process's sweep finds it and delivers it.
    const found = await sweepUndelivered({ sql: stack.db.sql, delivery: stack.delivery, log }, new Date());
    expect(found).toBeGreaterThanOrEqual(1);
    expect(await acknowledgement(accepted.candidate_id)).toBeDefined();
    await eventually(async () => (await deliveredAt(accepted.event_id)) ?? undefined);
    // Delivered once: a second sweep finds nothing of it.
    expect(await sweepUndelivered({ sql: stack.db.sql, delivery: stack.delivery, log }, new Date())).toBe(0);
  });

  it('over its backlog, waits for the event and answers 503 with Retry-After; the retry is a duplicate that is delivered', async () => {
    const { app, delivery } = await appWithoutTemporal({ backlog: 0, waitMs: 300 });
    const res = await app.request('/v1/events', application('away-2', 'grace.behind@example.com'));
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('retry-after')).toBe('1');
    expect(((await res.json()) as { detail: string }).detail).toMatch(/stored.*same event id is safe/);
    await stopped(delivery);

    // The client retries the same event once Temporal is back (here: through a process that reaches it).
    const retried = await stack.app.request('/v1/events', application('away-2', 'grace.behind@example.com'));
    expect(retried.status).toBe(202);
    const accepted = (await retried.json()) as { candidate_id: string; duplicate: boolean; event_id: string };
    expect(accepted.duplicate).toBe(true);
    expect(await acknowledgement(accepted.candidate_id)).toBeDefined();
    await eventually(async () => (await deliveredAt(accepted.event_id)) ?? undefined);
  });

  it('delivers an erased candidate’s leftover event to no workflow and marks it done', async () => {
    const { app, delivery } = await appWithoutTemporal();
    const res = await app.request('/v1/events', application('away-3', 'grace.erased@example.com'));
    const accepted = (await res.json()) as { event_id: string; candidate_id: string };
    await stopped(delivery);
    expect(
      (await stack.app.request(`/v1/candidates/${accepted.candidate_id}`, { method: 'DELETE' })).status,
    ).toBe(204);

    await sweepUndelivered({ sql: stack.db.sql, delivery: stack.delivery, log }, new Date());
    await eventually(async () => (await deliveredAt(accepted.event_id)) ?? undefined);
    await expect(
      stack.client.workflow.getHandle(`candidate/${accepted.candidate_id}`).describe(),
    ).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});
