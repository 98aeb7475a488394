// An erased candidate stays erased: no retried, replayed or old event brings them back, and nothing
// personal is left behind — in the outbox's reasons, in ended journeys, in kept ATS payloads, or in any
// run of their workflow in Temporal.
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonCaller, type JsonCall } from '../helpers/api.js';
import { rowCounts } from '../helpers/database.js';
import { eventually, startStack, type Stack } from '../helpers/stack.js';
import { keepUnmapped } from '../../src/db/source-payloads.js';

let stack: Stack;
let call: JsonCall;
beforeAll(async () => {
  stack = await startStack(path.resolve(import.meta.dirname, '../fixtures/pipelines-memory'));
  call = jsonCaller(stack.app);
});
afterAll(async () => {
  await stack?.stop();
});

type Taken = { candidate_id?: string; duplicate?: boolean; ignored?: boolean; reason?: string };

const erase = async (id: string) =>
  expect((await stack.app.request(`/v1/candidates/${id}`, { method: 'DELETE' })).status).toBe(204);

const candidatesWith = async (email: string) =>
  (
    await stack.db.sql<{ n: number }[]>`
      select count(*)::int as n from candidates where email_normalized = ${email}`
  )[0]!.n;

/** Every run of the candidate's workflow that Temporal lists, with its status. */
async function runsOf(candidateId: string): Promise<{ runId: string; status: string }[]> {
  const runs: { runId: string; status: string }[] = [];
  for await (const w of stack.client.workflow.list({ query: `WorkflowId = 'candidate/${candidateId}'` }))
    runs.push({ runId: w.runId, status: w.status.name });
  return runs;
}

/** Whether Temporal still has the run's history. */
const kept = (candidateId: string, runId: string) =>
  stack.client.workflow
    .getHandle(`candidate/${candidateId}`, runId)
    .fetchHistory()
    .then(
      () => true,
      (error: unknown) => {
        if (error instanceof WorkflowNotFoundError || (error as { code?: number }).code === 5) return false;
        throw error;
      },
    );

describe('an erased candidate', () => {
  it('does not come back from a vendor retry, a replayed body or an event from before the erasure', async () => {
    const event = {
      id: 'board-9',
      source: 'acme-board',
      type: 'candidate.applied',
      occurred_at: new Date(Date.now() - 60_000).toISOString(),
      candidate: {
        email: 'gone@example.com',
        first_name: 'Gwen',
        external_id: 'acme-77',
        phone: '+15550100',
      },
    };
    const first = await call<Taken>('POST', '/v1/events', event);
    expect(first.status).toBe(202);
    await stack.smtp.waitFor((m) => m.to.includes('gone@example.com'));
    await erase(first.body.candidate_id!);
    const before = await rowCounts(stack.db.sql);

    // The vendor retries the same event: recognised before anything is written.
    const retried = await call<Taken>('POST', '/v1/events', event);
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ candidate_id: first.body.candidate_id, duplicate: true });
    // The same application under another id, or by the ATS id alone, from before the erasure: not taken.
    for (const old of [
      { ...event, id: 'board-9-again' },
      { ...event, id: 'board-9-by-id', candidate: { email: 'gwen.new@example.com', external_id: 'acme-77' } },
    ]) {
      const answer = await call<Taken>('POST', '/v1/events', old);
      expect(answer.status).toBe(202);
      expect(answer.body.ignored).toBe(true);
      expect(answer.body.reason).toMatch(/erased/);
    }
    // A batch with one old event: that one is not taken, the other is.
    const batch = await call<{ events: Taken[] }>('POST', '/v1/events', [
      { ...event, id: 'board-9-batch' },
      { id: 'board-batch-new', type: 'candidate.sourced', candidate: { email: 'other@example.com' } },
    ]);
    expect(batch.body.events.map((e) => e.ignored ?? false)).toEqual([true, false]);
    expect(await candidatesWith('gone@example.com')).toBe(0);
    const after = await rowCounts(stack.db.sql);
    expect(after.candidates).toBe(before.candidates! + 1); // other@example.com
    expect(after.events).toBe(before.events! + 1);
    expect(stack.smtp.received.filter((m) => m.to.includes('gone@example.com'))).toHaveLength(1);

    // Applying again, after the erasure, is a new candidate.
    const back = await call<Taken>('POST', '/v1/events', {
      id: 'board-10',
      source: 'acme-board',
      type: 'candidate.applied',
      candidate: { email: 'gone@example.com' },
    });
    expect(back.body.duplicate).toBe(false);
    expect(back.body.candidate_id).not.toBe(first.body.candidate_id);
    await eventually(() =>
      Promise.resolve(
        stack.smtp.received.filter((m) => m.to.includes('gone@example.com')).length === 2 ? true : undefined,
      ),
    );
  });

  it(
    'leaves no personal data in provider errors, ended journeys, kept ATS payloads or earlier workflow runs',
    { timeout: 240_000 },
    async () => {
      const email = 'traces@example.com';
      const candidate = { email, first_name: 'Tess', external_id: 'lever-opp-42' };
      // A provider refusal that quotes the address.
      stack.smtp.rejectNext(1, 550, `5.1.1 <${email}>: mailbox unavailable`);
      const applied = await call<Taken>('POST', '/v1/events', {
        id: 'lever-1',
        source: 'lever',
        type: 'candidate.applied',
        candidate,
      });
      const id = applied.body.candidate_id!;
      await eventually(async () => {
        const [m] = await stack.db.sql<{ status_reason: string | null }[]>`
          select status_reason from messages where candidate_id = ${id}`;
        return m?.status_reason?.includes(email) ? true : undefined;
      });
      // A later run: a journey a recruiter cancels, saying why in words that name the candidate.
      await eventually(async () =>
        (await runsOf(id)).some((r) => r.status === 'COMPLETED') ? true : undefined,
      );
      await call('POST', '/v1/events', {
        id: 'lever-2',
        source: 'lever',
        type: 'candidate.screened',
        candidate,
      });
      const journey = await eventually(async () => {
        const [j] = await stack.db.sql<{ id: string }[]>`
        select id from journeys where candidate_id = ${id} and playbook = 'memory-waits' and status = 'waiting'`;
        return j;
      });
      const cancelled = await call('POST', `/v1/journeys/${encodeURIComponent(journey.id)}/cancel`, {
        reason: `Tess (${email}) took another offer`,
      });
      expect(cancelled.status).toBe(200);
      // What Lever sends names people by its ids only.
      await keepUnmapped(stack.db.sql, {
        source: 'lever',
        headers: {},
        payload: { event: 'candidateArchiveChange', data: { opportunityId: 'lever-opp-42' } },
        kind: 'no-rule',
        reason: 'no rule matches',
      });
      const runs = await eventually(async () => {
        const listed = await runsOf(id);
        return listed.length >= 2 ? listed : undefined;
      });

      await erase(id);

      const sql = stack.db.sql;
      const leftovers = await sql<{ text: string }[]>`
      select coalesce(status_reason, '') as text from messages where candidate_id = ${id}
      union all select coalesce(exit_reason, '') from journeys where candidate_id = ${id}
      union all select payload::text from source_payloads`;
      expect(leftovers.map((l) => l.text).join(' ')).not.toMatch(/traces@|Tess|lever-opp-42/);
      // Every run of their workflow is deleted from Temporal, not only the latest.
      // Temporal deletes them in the background (half a minute for a run that was still open).
      for (const run of runs) {
        await eventually(async () => ((await kept(id, run.runId)) ? undefined : true), 120_000);
      }
    },
  );
});
