// An accepted event is stored before the answer and reaches its workflow after it: when Temporal cannot be
// reached the answer is still 202 (or, over the backlog, 503 with Retry-After), the event stays stored and
// undelivered, and the sweep of the next process delivers it; the candidate's journey then runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { createApp } from '../../src/http/app.js';
import { createEventDelivery, type EventDelivery } from '../../src/intake/event-delivery.js';
import { sweepUndelivered } from '../../src/intake/event-sweep.js';
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

/** The process stops (or dies) before Temporal answers: nothing is left queued, nothing delivered. */
async function stopped(delivery: EventDelivery) {
  await delivery.stop(0);
  expect(delivery.waiting).toBe(0);
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
    const found = await sweepUndelivered({ sql: stack.db.sql, delivery: stack.delivery, log }, 0);
    expect(found).toBeGreaterThanOrEqual(1);
    expect(await acknowledgement(accepted.candidate_id)).toBeDefined();
    await eventually(async () => (await deliveredAt(accepted.event_id)) ?? undefined);
    // Delivered once: a second sweep finds nothing of it.
    expect(await sweepUndelivered({ sql: stack.db.sql, delivery: stack.delivery, log }, 0)).toBe(0);
  });

  it('over its backlog, refuses new events with 503 and Retry-After, storing nothing; sent again, one is accepted', async () => {
    const { app, delivery } = await appWithoutTemporal({ backlog: 1 });
    expect((await app.request('/v1/events', application('away-2a', 'grace.first@example.com'))).status).toBe(
      202,
    );
    const res = await app.request('/v1/events', application('away-2b', 'grace.behind@example.com'));
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('retry-after')).toBe('5');
    expect(((await res.json()) as { detail: string }).detail).toMatch(
      /1 accepted events are waiting.*not stored/,
    );
    const [refused] = await stack.db.sql<{ n: number }[]>`
      select count(*)::int as n from events where source_event_id = 'away-2b'`;
    expect(refused!.n).toBe(0);
    await stopped(delivery);

    // The client sends it again once Temporal has caught up (here: to a process that reaches it).
    const again = await stack.app.request('/v1/events', application('away-2b', 'grace.behind@example.com'));
    expect(again.status).toBe(202);
    const accepted = (await again.json()) as { candidate_id: string; duplicate: boolean; event_id: string };
    expect(accepted.duplicate).toBe(false);
    expect(await acknowledgement(accepted.candidate_id)).toBeDefined();
    await eventually(async () => (await deliveredAt(accepted.event_id)) ?? undefined);
  });

  it('answers an enrollment 503 while the candidate’s earlier events wait for Temporal, and changes nothing', async () => {
    const { app, delivery } = await appWithoutTemporal({ waitMs: 300 });
    const res = await app.request('/v1/events', application('away-4', 'grace.waiting@example.com'));
    const { candidate_id } = (await res.json()) as { candidate_id: string };
    const enroll = await app.request(`/v1/candidates/${candidate_id}/journeys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ playbook: 'nurture-company-updates' }),
    });
    expect(enroll.status).toBe(503);
    expect(enroll.headers.get('retry-after')).toBe('1');
    await stopped(delivery);
    const [candidate] = await stack.db.sql<{ email: string | null }[]>`
      select email from candidates where id = ${candidate_id}`;
    expect(candidate!.email).toBe('grace.waiting@example.com');
  });

  it('erases the candidate before ending their workflow: behind stuck events the data is gone, no sweep starts the workflow, and the DELETE sent again ends it', async () => {
    const { app, delivery } = await appWithoutTemporal({ waitMs: 300 });
    const res = await app.request('/v1/events', application('away-5', 'grace.gone@example.com'));
    const accepted = (await res.json()) as { candidate_id: string; event_id: string };
    const erase = await app.request(`/v1/candidates/${accepted.candidate_id}`, { method: 'DELETE' });
    expect(erase.status).toBe(503);
    expect(erase.headers.get('retry-after')).toBe('1');
    expect(((await erase.json()) as { detail: string }).detail).toMatch(/personal data is erased/);
    await stopped(delivery);
    const [candidate] = await stack.db.sql<{ email: string | null; erased: boolean }[]>`
      select email, erased_at is not null as erased from candidates where id = ${accepted.candidate_id}`;
    expect(candidate).toEqual({ email: null, erased: true });

    // The event left behind is swept by a process that reaches Temporal: it starts no workflow.
    await sweepUndelivered({ sql: stack.db.sql, delivery: stack.delivery, log }, 0);
    await eventually(async () => (await deliveredAt(accepted.event_id)) ?? undefined);
    const workflow = stack.client.workflow.getHandle(`candidate/${accepted.candidate_id}`);
    await expect(workflow.describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);

    // Sent again, the erasure ends what is left and answers 204; an unknown candidate is still 404.
    const again = await stack.app.request(`/v1/candidates/${accepted.candidate_id}`, { method: 'DELETE' });
    expect(again.status).toBe(204);
    const unknown = await stack.app.request(`/v1/candidates/${crypto.randomUUID()}`, { method: 'DELETE' });
    expect(unknown.status).toBe(404);
  });

  it('delivers an erased candidate’s leftover event to no workflow and marks it done', async () => {
    const { app, delivery } = await appWithoutTemporal();
    const res = await app.request('/v1/events', application('away-3', 'grace.erased@example.com'));
    const accepted = (await res.json()) as { event_id: string; candidate_id: string };
    await stopped(delivery);
    expect(
      (await stack.app.request(`/v1/candidates/${accepted.candidate_id}`, { method: 'DELETE' })).status,
    ).toBe(204);

    await sweepUndelivered({ sql: stack.db.sql, delivery: stack.delivery, log }, 0);
    await eventually(async () => (await deliveredAt(accepted.event_id)) ?? undefined);
    await expect(
      stack.client.workflow.getHandle(`candidate/${accepted.candidate_id}`).describe(),
    ).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});

describe('an enrollment whose workflow cannot answer', () => {
  it('is answered 503 with Retry-After in bounded time, not held open', async () => {
    // No worker polls this queue: the candidate's workflow starts, and never answers.
    const taskQueue = `nobody-polls-${Date.now()}`;
    const app = withKey(
      createApp({
        sql: stack.db.sql,
        temporal: stack.client,
        taskQueue,
        log,
        sources: new Map(),
        links: await loadLinkSigner(stack.db.sql),
        strictResponses: true,
        workflowAnswerMs: 1500,
      }),
      await adminKey(stack.db.sql),
    );
    const [candidate] = await stack.db.sql<{ id: string }[]>`
      insert into candidates (email, source) values ('stuck@example.com', 'api') returning id`;
    const res = await app.request(`/v1/candidates/${candidate!.id}/journeys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ playbook: 'engage-acknowledge-application' }),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/did not answer/);
    await stack.client.workflow.getHandle(`candidate/${candidate!.id}`).terminate('test over');
  });
});
