// What happens to a source payload besides becoming an event at once, on the real stack: enrichment from
// a vendor API that is down for a while (the event arrives late, once) or answers 404 (a failure people
// see: the candidate's timeline, /metrics, the attention list); a payload no rule maps (answered with the
// reason, counted, kept, and replayed by the real `rapport sources replay` once the mapping is fixed);
// bad input, answered with problem+json and storing nothing; an enrichment a crash left unstarted, and
// payloads forgotten after 30 days.
import { createHmac } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { attention } from '../../src/db/attention.js';
import { forgetOldPayloads, keepForEnrichment } from '../../src/db/source-payloads.js';
import { createLogger } from '../../src/log.js';
import { loadSources } from '../../src/playbook/sources.js';
import { startUnstarted } from '../../src/sources/enrichment-sweep.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { eventually, PIPELINES_DIR } from '../helpers/stack.js';
import { useSourceStack } from '../helpers/source-stack.js';
import { SECRETS, greenhouseVendor, leverDelivery, leverVendor, type Person } from '../helpers/vendors.js';

const ctx = useSourceStack();
const { deliver } = ctx;
const JOB = { id: '433', title: 'Site reliability engineer' };
const person = (n: number, who = 'intake'): Person => ({
  email: `${who}-${n}@example.com`,
  first: 'Lin',
  last: 'Enriched',
  id: `${7_000_000 + n}`,
});

const greenhouseSignature = (body: string) =>
  `sha256 ${createHmac('sha256', SECRETS.RAPPORT_SOURCE_GREENHOUSE_SECRET).update(body).digest('hex')}`;

const metricLine = async (pattern: RegExp) => {
  const text = await (await ctx.stack.app.request('/metrics')).text();
  return text.split('\n').find((line) => pattern.test(line));
};

describe('enrichment from the vendor API', () => {
  it('waits out a Lever API that is down for a while: the event arrives late, once', async () => {
    const p = person(1);
    ctx.lever.add(p, JOB);
    ctx.lever.down(3);
    const res = await deliver('lever', leverVendor.application(p, JOB));
    expect(res.status).toBe(202);
    const answer = (await res.json()) as { payload_id: string };
    const mail = await ctx.stack.smtp.waitFor((m) => m.to.includes(p.email), 60_000);
    expect(mail.subject).toBe(`Lin, we received your application for ${JOB.title}`);
    const refused = ctx.lever.requests.filter((r) => r.status === 503).length;
    expect(refused).toBe(3);
    const [row] = await ctx.stack.db.sql<{ status: string; event_id: string }[]>`
      select status, event_id from source_payloads where id = ${answer.payload_id}`;
    expect(row).toMatchObject({ status: 'mapped' });
    const events = await ctx.stack.db.sql`
      select 1 from events e join candidates c on c.id = e.candidate_id where c.email = ${p.email}`;
    expect(events).toHaveLength(1);
  });

  it('records an answer that will not change (404) where people see it', async () => {
    const p = person(2);
    ctx.lever.add(p, JOB);
    expect((await deliver('lever', leverVendor.application(p, JOB))).status).toBe(202);
    await ctx.stack.smtp.waitFor((m) => m.to.includes(p.email), 60_000);
    const [{ id: candidateId } = { id: '' }] = await ctx.stack.db.sql<{ id: string }[]>`
      select id from candidates where email = ${p.email}`;

    // A stage change about an opportunity Lever does not know (deleted since, say).
    const res = await deliver(
      'lever',
      leverDelivery('candidateStageChange', {
        opportunityId: 'opp-deleted',
        contactId: p.id,
        toStageId: 'stage-onsite',
        fromStageId: 'stage-new',
      }),
    );
    expect(res.status).toBe(202);
    const { payload_id } = (await res.json()) as { payload_id: string };
    const failed = await eventually(async () => {
      const [row] = await ctx.stack.db.sql<{ status: string; reason: string }[]>`
        select status, reason from source_payloads where id = ${payload_id}`;
      return row?.status === 'failed' ? row : undefined;
    });
    expect(failed.reason).toContain('answered 404');

    const [entry] = await ctx.stack.db.sql<{ summary: string }[]>`
      select summary from interactions where candidate_id = ${candidateId} and kind = 'source.failed'`;
    expect(entry?.summary).toContain('A lever webhook could not become an event');
    expect(await metricLine(/^rapport_source_payloads_total\{.*outcome="enrichment_failed".*\}/)).toMatch(
      /source="lever".*reason="read-failed".* 1$/,
    );
    const { webhooks } = await attention(ctx.stack.db.sql);
    expect(webhooks.map((w) => w.id)).toContain(payload_id);
  });
});

describe('a payload no rule maps', () => {
  it('is answered with the reason, counted, kept, replayed once the mapping is fixed, and erased with the candidate', async () => {
    const p = person(3, 'unmapped');
    // Greenhouse's "unhire" notification: no shipped rule takes it.
    const application = {
      id: 46194062,
      status: 'active',
      current_stage: { id: 2708728, name: 'Offer', interviews: [] },
      candidate: {
        id: Number(p.id),
        first_name: p.first,
        last_name: p.last,
        email_addresses: [{ value: p.email, type: 'personal' }],
      },
      jobs: [{ id: 433, name: JOB.title }],
    };
    const body = JSON.stringify({ action: 'unhire_candidate', payload: { application } });
    const signature = greenhouseSignature(body);
    const res = await deliver('greenhouse', { body, headers: { Signature: signature } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ignored: true,
      reason_kind: 'no-rule',
      reason: 'no rule of greenhouse matches this payload',
    });
    // Greenhouse retries: the same payload is kept once.
    await deliver('greenhouse', { body, headers: { Signature: signature } });
    const kept = await ctx.stack.db
      .sql`select id from source_payloads where payload->>'action' = 'unhire_candidate'`;
    expect(kept).toHaveLength(1);
    expect(
      await metricLine(/^rapport_source_payloads_total\{.*source="greenhouse".*reason="no-rule"/),
    ).toMatch(/ 1$/);

    // The mapping gets a rule for it; the real CLI replays what was kept.
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rapport-replay-'));
    await fs.cp(PIPELINES_DIR, dir, { recursive: true });
    await fs.appendFile(
      path.join(dir, 'sources', 'greenhouse.yaml'),
      `  - when: "payload.action == 'unhire_candidate'"
    type: candidate.stage_changed
    candidate:
      email: '{{ payload.payload.application.candidate.email_addresses[0].value }}'
    stage: { name: '{{ payload.payload.application.current_stage.name }}' }
`,
    );
    const env = cleanEnv({
      DATABASE_URL: ctx.stack.db.url,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      RAPPORT_TASK_QUEUE: ctx.stack.taskQueue,
      RAPPORT_PIPELINES_DIR: dir,
      LOG_LEVEL: 'warn',
    });
    const usage = await runCli(['sources', 'replay', 'no-such-ats'], env);
    expect(usage.code).toBe(1);
    expect(usage.output).toContain('no source no-such-ats');
    const replay = await runCli(['sources', 'replay', 'greenhouse', '--since', '1h'], env);
    expect(replay.output).toMatch(/replayed 1 greenhouse payload\(s\) kept since .*: 1 became events/);
    expect(replay.code).toBe(0);
    const event = await eventually(async () => {
      const [row] = await ctx.stack.db.sql<{ type: string; data: { stage: unknown } }[]>`
        select e.type, e.data from events e join candidates c on c.id = e.candidate_id where c.email = ${p.email}`;
      return row;
    });
    expect(event).toMatchObject({
      type: 'candidate.stage_changed',
      data: { stage: { name: 'Offer', kind: 'offer' } },
    });
    const again = await runCli(['sources', 'replay', 'greenhouse'], env);
    expect(again.output).toContain('no kept greenhouse payloads in the last 30 days');
    await fs.rm(dir, { recursive: true, force: true });

    // Erasing the candidate forgets what their ATS sent about them too.
    const [{ id } = { id: '' }] = await ctx.stack.db.sql<{ id: string }[]>`
      select id from candidates where email = ${p.email}`;
    expect((await ctx.stack.app.request(`/v1/candidates/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect(
      await ctx.stack.db.sql`select 1 from source_payloads where payload::text like ${`%${p.email}%`}`,
    ).toHaveLength(0);
  });
});

describe('bad input', () => {
  it('answers problem+json and stores nothing', async () => {
    const before = await ctx.stored();
    const p = person(4, 'bad');
    const good = greenhouseVendor.application(p, JOB);
    const problem = async (res: Response, status: number) => {
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      return (await res.json()) as { title: string; detail: string };
    };
    await problem(await deliver('no-such-board', good), 404);
    expect((await problem(await deliver('greenhouse', { body: good.body, headers: {} }), 401)).detail).toBe(
      'The Signature header is missing.',
    );
    await problem(await deliver('greenhouse', good, { Signature: 'sha256 0000' }), 401);
    const big = {
      body: JSON.stringify({ action: 'x', padding: 'x'.repeat(1024 * 1024) }),
      headers: good.headers,
    };
    await problem(await deliver('greenhouse', big), 413);
    const malformed = '{"action": "new_candidate_application", ';
    const signed = greenhouseSignature(malformed);
    expect(
      (await problem(await deliver('greenhouse', { body: malformed, headers: { Signature: signed } }), 400))
        .title,
    ).toBe('Malformed JSON');
    await problem(await deliver('lever', { body: '{"token": ', headers: {} }), 400);
    expect(await ctx.stored()).toEqual(before);
  });
});

describe('what a crash leaves, and what time takes', () => {
  it('starts an enrichment stored but never started; forgets payloads after 30 days', async () => {
    const p = person(5, 'crash');
    ctx.lever.add(p, JOB);
    const mapping = (await loadSources(PIPELINES_DIR)).get('lever')!;
    // As if the process stopped between storing the payload and starting its workflow.
    const kept = await keepForEnrichment(ctx.stack.db.sql, {
      source: 'lever',
      eventKey: `crash-${p.id}`,
      headers: {},
      payload: JSON.parse(leverVendor.application(p, JOB).body) as unknown,
      mapping,
      rule: 0,
    });
    const deps = {
      ...ctx.stack,
      sql: ctx.stack.db.sql,
      temporal: ctx.stack.client,
      log: createLogger('silent'),
    };
    expect(await startUnstarted(deps, 0)).toBe(1);
    await ctx.stack.smtp.waitFor((m) => m.to.includes(p.email), 60_000);
    expect(await startUnstarted(deps, 0)).toBe(0);

    await ctx.stack.db
      .sql`update source_payloads set received_at = now() - interval '31 days' where id = ${kept.id}`;
    expect(await forgetOldPayloads(ctx.stack.db.sql)).toBe(1);
    expect(await ctx.stack.db.sql`select 1 from source_payloads where id = ${kept.id}`).toHaveLength(0);
  });
});
