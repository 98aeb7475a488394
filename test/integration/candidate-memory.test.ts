// A candidate's memory outlives each run of their workflow: re-entry rules and each event once hold after
// a run completed, whatever arrives next (a new event, an event delivered again, a job's enrollment).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepHistory } from '../helpers/histories.js';
import { eventually, startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(path.resolve(import.meta.dirname, '../fixtures/pipelines-memory'));
});
afterAll(async () => {
  await stack?.stop();
});

const post = async (body: Record<string, unknown>) => {
  const res = await stack.app.request('/v1/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ source: 'acme-board', ...body }),
  });
  expect(res.status).toBe(202);
  return (await res.json()) as { event_id: string; candidate_id: string; duplicate: boolean };
};

const mailsTo = (email: string) => stack.smtp.received.filter((m) => m.to.includes(email));

/** Waits until the candidate's workflow has run `runs` times, each run completed; their run ids. */
async function completedRuns(candidateId: string, runs: number): Promise<string[]> {
  return eventually(async () => {
    const seen: { runId: string; status: string; start: number }[] = [];
    for await (const w of stack.client.workflow.list({
      query: `WorkflowId = 'candidate/${candidateId}'`,
    }))
      seen.push({ runId: w.runId, status: w.status.name, start: w.startTime.getTime() });
    return seen.length >= runs && seen.every((s) => s.status === 'COMPLETED')
      ? seen.sort((a, b) => a.start - b.start).map((s) => s.runId)
      : undefined;
  }, 45_000);
}

/** The activities a run of the candidate's workflow called, by name. */
async function activitiesOf(candidateId: string, runId: string): Promise<string[]> {
  const history = await stack.client.workflow.getHandle(`candidate/${candidateId}`, runId).fetchHistory();
  return (history.events ?? []).flatMap((e) =>
    e.activityTaskScheduledEventAttributes?.activityType?.name
      ? [e.activityTaskScheduledEventAttributes.activityType.name]
      : [],
  );
}

const journeysOf = (candidateId: string) =>
  stack.db.sql<{ playbook: string }[]>`select playbook from journeys where candidate_id = ${candidateId}`;

describe('after a run of the candidate workflow completed', () => {
  it('a second application does not enroll again in a playbook whose re-entry is never', async () => {
    const candidate = { email: 'twice@example.com', first_name: 'Twice' };
    const first = await post({ id: 'apply-1', type: 'candidate.applied', candidate });
    await stack.smtp.waitFor((m) => m.to.includes('twice@example.com'));
    await completedRuns(first.candidate_id, 1);

    const second = await post({ id: 'apply-2', type: 'candidate.applied', candidate });
    expect(second.candidate_id).toBe(first.candidate_id);
    const [, run] = await completedRuns(first.candidate_id, 2);
    expect(mailsTo('twice@example.com')).toHaveLength(1);
    expect(await journeysOf(first.candidate_id)).toHaveLength(1);
    await keepHistory(stack.client, 'memory-applied-again', `candidate/${first.candidate_id}`, run);
  });

  it('an event delivered again to a new run (its delivery mark lost) is ignored', async () => {
    const event = {
      id: 'apply-lost-mark',
      type: 'candidate.applied',
      candidate: { email: 'again@example.com', first_name: 'Again' },
    };
    const first = await post(event);
    await stack.smtp.waitFor((m) => m.to.includes('again@example.com'));
    await completedRuns(first.candidate_id, 1);
    // The mark that says the event reached its workflow is lost (a process died before writing it):
    // the retried post delivers it again, and a new run starts with it.
    await stack.db.sql`update events set delivered_at = null where id = ${first.event_id}`;
    expect((await post(event)).duplicate).toBe(true);
    const [, again] = await completedRuns(first.candidate_id, 2);
    expect(mailsTo('again@example.com')).toHaveLength(1);
    // The new run read what the first took in, and started no journey: no send, no journey sync.
    expect(await activitiesOf(first.candidate_id, again!)).toEqual(['candidateMemory']);
  });

  it('re-entry after a duration counts the journeys of earlier runs', { timeout: 90_000 }, async () => {
    const candidate = { email: 'later@example.com', first_name: 'Later', consent: { email: true } };
    const first = await post({ id: 'open-1', type: 'candidate.open_to_work', candidate });
    await stack.smtp.waitFor((m) => m.to.includes('later@example.com'));
    await completedRuns(first.candidate_id, 1);
    const started = Date.now();

    // Within 20 seconds of the first enrollment: not again.
    await post({ id: 'open-2', type: 'candidate.open_to_work', candidate });
    await completedRuns(first.candidate_id, 2);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(mailsTo('later@example.com')).toHaveLength(1);

    // Once 20 seconds have passed: enrolled again.
    await new Promise((r) => setTimeout(r, Math.max(0, 20_500 - (Date.now() - started))));
    await post({ id: 'open-3', type: 'candidate.open_to_work', candidate });
    const [, , run] = await completedRuns(first.candidate_id, 3);
    expect(mailsTo('later@example.com')).toHaveLength(2);
    expect(await journeysOf(first.candidate_id)).toHaveLength(2);
    await keepHistory(stack.client, 'memory-reentry-after', `candidate/${first.candidate_id}`, run);
  });
});
