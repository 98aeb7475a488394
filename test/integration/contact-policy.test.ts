// The contact policy in the real candidate workflow (Temporal, PostgreSQL, SMTP), on a policy scaled to
// seconds: a hiring process holds nurture mail and drops marketing, its end releases the hold, the
// budget spaces what follows — and the workflow decides what the simulator decides, step by step, at
// the same moments.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExpressions } from '../../src/expressions/liquid.js';
import { validatePipelines } from '../../src/playbook/load.js';
import { loadPolicy } from '../../src/playbook/policy.js';
import { simulate } from '../../src/simulate/simulate.js';
import { eventually, startStack, type Stack } from '../helpers/stack.js';

const PIPELINES = path.resolve(import.meta.dirname, '../fixtures/pipelines-policy');

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(PIPELINES);
});
afterAll(async () => {
  await stack?.stop();
});

async function post(type: string) {
  const res = await stack.app.request('/v1/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type,
      candidate: { email: 'ada@example.com', first_name: 'Ada', consent: { email: true } },
    }),
  });
  expect(res.status).toBe(202);
  return (await res.json()) as { candidate_id: string; event_id: string };
}

interface Decision {
  playbook: string;
  step: string;
  action: string;
  rule?: string;
  at: number;
}

/** What the workflow did with each send, per playbook in order: sent, held (by which rule) or dropped. */
async function workflowDecisions(candidateId: string): Promise<Decision[]> {
  const rows = await stack.db.sql<
    { journey_id: string; step: string; action: string; rule: string | null; at: Date }[]
  >`
    select journey_id, step, 'send' as action, null as rule, sent_at as at from messages
      where candidate_id = ${candidateId} and status = 'sent'
    union all
    select journey_id, step, case when kind = 'journey.held' then 'held' else 'suppressed' end,
      data->>'rule', occurred_at from interactions
      where candidate_id = ${candidateId}
        and (kind = 'journey.held' or (kind = 'message.suppressed' and data->>'reason' = 'policy'))
    order by at`;
  return rows.map((r) => ({
    playbook: r.journey_id.split(':')[0]!,
    step: r.step,
    action: r.action,
    ...(r.rule ? { rule: r.rule } : {}),
    at: r.at.getTime(),
  }));
}

describe('the contact policy in the candidate workflow', () => {
  it('holds, drops, releases and spaces sends as the simulator does', { timeout: 90_000 }, async () => {
    const applied = await post('candidate.applied');
    await stack.smtp.waitFor((m) => m.subject === 'Ada, invite');
    const sourced = await post('candidate.sourced');
    const candidateId = applied.candidate_id;
    await eventually(async () => {
      const journeys = await stack.db.sql`
        select 1 from journeys where candidate_id = ${candidateId} and ended_at is null`;
      const all = await stack.db.sql`select 1 from journeys where candidate_id = ${candidateId}`;
      return all.length === 3 && journeys.length === 0 ? true : undefined;
    }, 60_000);
    const actual = await workflowDecisions(candidateId);

    // The same playbooks, policy and events (at the moments the workflow got them) in the simulator.
    const events = await stack.db.sql<{ id: string; type: string; received_at: Date }[]>`
      select id, type, received_at from events where id in (${applied.event_id}, ${sourced.event_id})`;
    const { playbooks } = await validatePipelines(PIPELINES);
    const [first, ...others] = ['policy-interview', 'policy-news', 'policy-promo'].map((id) =>
      playbooks.get(id)!,
    );
    const start = Math.min(...events.map((e) => e.received_at.getTime()));
    const simulated = simulate({
      definition: first!,
      others,
      policy: (await loadPolicy(PIPELINES))!,
      candidate: { id: candidateId, first_name: 'Ada', consent: { email: true } },
      events: events.map((e) => ({ at: e.received_at.toISOString(), type: e.type })),
      start: new Date(start).toISOString(),
      days: 1,
      expressions: createExpressions(),
    })
      .filter((l) => ['send', 'held', 'suppressed'].includes(l.action))
      .map((l) => ({
        playbook: String(l.playbook),
        step: l.step!,
        action: l.action,
        ...(typeof l.rule === 'string' ? { rule: l.rule } : {}),
        at: Date.parse(l.at),
      }));

    const perPlaybook = (list: Decision[]) =>
      Object.fromEntries(
        ['policy-interview', 'policy-news', 'policy-promo'].map((p) => [
          p,
          list.filter((d) => d.playbook === p).map(({ at: _at, ...d }) => d),
        ]),
      );
    expect(perPlaybook(actual)).toEqual(perPlaybook(simulated));
    expect(perPlaybook(actual)).toEqual({
      'policy-interview': [
        { playbook: 'policy-interview', step: 'invite', action: 'send' },
        { playbook: 'policy-interview', step: 'thanks', action: 'send' },
      ],
      'policy-news': [
        { playbook: 'policy-news', step: 'news-1', action: 'held', rule: 'hiring-process-first' },
        { playbook: 'policy-news', step: 'news-1', action: 'held', rule: 'budget' },
        { playbook: 'policy-news', step: 'news-1', action: 'send' },
        { playbook: 'policy-news', step: 'news-2', action: 'held', rule: 'budget' },
        { playbook: 'policy-news', step: 'news-2', action: 'send' },
      ],
      'policy-promo': [
        { playbook: 'policy-promo', step: 'promo', action: 'suppressed', rule: 'hiring-process-first' },
      ],
    });
    // At the same moments, give or take the workflow's own pace (activities, timers).
    for (const p of ['policy-interview', 'policy-news', 'policy-promo']) {
      const a = actual.filter((d) => d.playbook === p);
      const s = simulated.filter((d) => d.playbook === p);
      a.forEach((d, i) => expect(Math.abs(d.at - s[i]!.at)).toBeLessThan(2500));
    }
    // No message over the budget, in any 12 seconds: the exempt interview mail counts too.
    const sent = actual.filter((d) => d.action === 'send').map((d) => d.at);
    for (const t of sent) expect(sent.filter((u) => u > t - 12_000 && u <= t).length).toBeLessThanOrEqual(2);
    // The timeline says why, in words.
    const timeline = await stack.db.sql<{ summary: string }[]>`
      select summary from interactions where candidate_id = ${candidateId} and kind like '%.suppressed'`;
    expect(timeline.map((t) => t.summary)).toEqual(['Not sent (contact policy: hiring-process-first): note']);
  });
});
