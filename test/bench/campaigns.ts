// `npm run bench` (campaigns): on one Temporal dev server and embedded PostgreSQL,
// - enrolling 20,000 candidates through a campaign at no set rate (the campaign workflow, its batches,
//   the skip checks and the bookkeeping in campaign_members), next to raw signal-with-start of the same
//   enroll signal to 20,000 other candidate workflows with the same concurrency, from this process; no
//   worker polls the candidates' task queue for either (a campaign's job ends at signal-with-start);
// - the rate a campaign achieves against a set rate of 50/s (the candidate workflows' start times);
// - a smart pool's preview over 1,000,000 candidates, next to counting the whole table.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pLimit from 'p-limit';
import { CAMPAIGN_CONCURRENCY } from '../../src/activities/campaigns.js';
import { launchCampaign } from '../../src/campaigns/campaigns.js';
import { publishPipelines } from '../../src/cli/publish.js';
import type { Sql } from '../../src/db/client.js';
import { createPool, previewPool } from '../../src/db/pools.js';
import type { PoolFilter } from '../../src/db/pool-filter.js';
import { createLogger } from '../../src/log.js';
import { installTemporalLogging } from '../../src/temporal/connect.js';
import {
  CANDIDATE_WORKFLOW,
  candidateWorkflowId,
  enrollSignal,
  type CandidateWorkflow,
  type EnrollRequest,
} from '../../workflows/contract.js';
import { startBenchWorker } from './bench-worker.js';
import {
  fmt,
  positiveInt,
  sleep,
  startServices,
  withCleanups,
  type OnCleanup,
  type Services,
} from './services.js';

const PIPELINES = path.resolve(import.meta.dirname, '../fixtures/pipelines-campaign');
const WORKFLOWS = path.resolve(import.meta.dirname, '../../workflows/index.ts');
const ENROLL = positiveInt('BENCH_CAMPAIGN_CANDIDATES', 20_000);
const PACED = positiveInt('BENCH_CAMPAIGN_PACED', 3_000);
const PACED_RATE_PER_S = 50;
const POOL_CANDIDATES = positiveInt('BENCH_POOL_CANDIDATES', 1_000_000);
const TARGET_RATIO = 0.8;

const progress = (message: string) => console.error(`  [campaigns] ${message}`);

export async function benchCampaigns(): Promise<string[]> {
  return withCleanups('campaigns', async (onCleanup) => {
    const services = await startServices(onCleanup, progress);
    installTemporalLogging(createLogger('warn'));
    await publishPipelines(services.sql, PIPELINES);
    const out = await benchEnrollment(services, onCleanup);
    out.push(...(await benchPreview(services)));
    return out;
  });
}

async function insertCandidates(sql: Sql, tag: string, n: number): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    insert into candidates (email, first_name, consent_email, tags)
    select ${tag} || '-' || i || '@bench.example', 'Bench' || i, true, array[${tag}]
    from generate_series(1, ${n}) i returning id`;
  return rows.map((r) => r.id);
}

async function benchEnrollment(services: Services, onCleanup: OnCleanup): Promise<string[]> {
  const { client } = services;
  const campaignQueue = `bench-campaign-${randomUUID().slice(0, 8)}`;
  // Candidate workflows go to a queue nobody polls: both sides' work ends at signal-with-start.
  const candidateQueue = `bench-candidates-${randomUUID().slice(0, 8)}`;
  await startBenchWorker(
    {
      databaseUrl: services.databaseUrl,
      temporalAddress: services.temporalAddress,
      client,
      pipelinesDir: PIPELINES,
      workflowsPath: WORKFLOWS,
      taskQueue: candidateQueue,
      pollQueue: campaignQueue,
      progress,
    },
    onCleanup,
  );

  progress(`inserting ${fmt(ENROLL * 2 + PACED)} candidates`);
  const raw = await insertCandidates(services.sql, 'raw', ENROLL);
  await insertCandidates(services.sql, 'campaign', ENROLL);
  await insertCandidates(services.sql, 'paced', PACED);
  for (const name of ['campaign', 'paced'])
    await createPool(services.sql, { name, filter: { tags: { all: [name] } } });
  const launch = (pool: string, rate?: number) =>
    launchCampaign(
      { sql: services.sql, temporal: client, taskQueue: campaignQueue },
      { name: pool, playbook: 'campaign-news', pool, ...(rate ? { rate_per_minute: rate * 60 } : {}) },
    );
  const completed = async (id: string) => {
    for (;;) {
      const [row] = await services.sql<{ status: string }[]>`select status from campaigns where id = ${id}`;
      if (row?.status === 'completed') return;
      await sleep(50);
    }
  };

  progress(`raw signal-with-start of ${fmt(ENROLL)} candidate workflows, ${CAMPAIGN_CONCURRENCY} at a time`);
  let started = performance.now();
  await pLimit(CAMPAIGN_CONCURRENCY).map(raw, (candidateId) =>
    client.workflow.signalWithStart<CandidateWorkflow, [EnrollRequest]>(CANDIDATE_WORKFLOW, {
      workflowId: candidateWorkflowId(candidateId),
      taskQueue: candidateQueue,
      args: [{ candidateId }],
      signal: enrollSignal,
      signalArgs: [{ id: `raw/${candidateId}`, playbook: 'campaign-news', campaignId: randomUUID() }],
    }),
  );
  const rawSeconds = (performance.now() - started) / 1000;

  progress(`a campaign of ${fmt(ENROLL)} candidates at no set rate`);
  started = performance.now();
  const unlimited = await launch('campaign');
  await completed(unlimited.id);
  const campaignSeconds = (performance.now() - started) / 1000;
  const [check] = await services.sql<{ n: number }[]>`
    select count(*)::int as n from campaign_members where campaign_id = ${unlimited.id} and outcome = 'requested'`;
  if (check!.n !== ENROLL) throw new Error(`the campaign requested ${check!.n} of ${ENROLL}`);

  progress(`a campaign of ${fmt(PACED)} candidates at ${PACED_RATE_PER_S}/s`);
  const paced = await launch('paced', PACED_RATE_PER_S);
  await completed(paced.id);
  const starts: number[] = [];
  for await (const w of client.workflow.list({
    query: `TaskQueue = '${candidateQueue}' and WorkflowType = '${CANDIDATE_WORKFLOW}'`,
  }))
    starts.push(w.startTime.getTime());
  // The paced campaign's workflows are the latest PACED started.
  const pacedStarts = starts.sort((a, b) => a - b).slice(-PACED);
  const achieved = (PACED - 1) / ((pacedStarts.at(-1)! - pacedStarts[0]!) / 1000);

  const rawRate = ENROLL / rawSeconds;
  const campaignRate = ENROLL / campaignSeconds;
  const ratio = campaignRate / rawRate;
  const deviation = (achieved - PACED_RATE_PER_S) / PACED_RATE_PER_S;
  return [
    `- enrolling ${fmt(ENROLL)} candidates, ${CAMPAIGN_CONCURRENCY} signals in flight, no worker on the candidates' queue:`,
    `  raw signal-with-start ${fmt(rawSeconds, 1)} s (${fmt(rawRate)}/s), a campaign at no set rate ` +
      `${fmt(campaignSeconds, 1)} s (${fmt(campaignRate)}/s, from launch to completed)`,
    `  ratio ${fmt(ratio, 2)} (target ≥ ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'})`,
    `- a campaign of ${fmt(PACED)} at a set rate of ${PACED_RATE_PER_S}/s: achieved ${fmt(achieved, 2)}/s ` +
      `(${deviation >= 0 ? '+' : ''}${fmt(deviation * 100, 1)}%; target within 5%: ${Math.abs(deviation) <= 0.05 ? 'met' : 'NOT met'})`,
  ];
}

/** The example: backend people in Berlin not contacted for 90 days, in no running hiring journey. */
const FILTER: PoolFilter = {
  tags: { all: ['backend'], none: ['do-not-contact'] },
  location: { any: ['berlin'] },
  last_contacted: { before: '90d' },
  journeys: { not_in: ['interview'] },
};

async function benchPreview(services: Services): Promise<string[]> {
  const { sql } = services;
  progress(
    `inserting ${fmt(POOL_CANDIDATES)} candidates, a message for one in five, a journey for one in ten`,
  );
  const cities = ['Berlin, Germany', 'Paris', 'London', 'Remote', 'Lisbon', 'Munich', 'Madrid', 'Warsaw'];
  const tagSets = [
    '{backend}',
    '{frontend}',
    '{backend,go}',
    '{data}',
    '{backend,do-not-contact}',
    '{design}',
  ];
  await sql`
    insert into candidates (email, first_name, consent_email, tags, skills, location, stage, source, updated_at)
    select 'pool-' || i || '@bench.example', 'Pool' || i, i % 7 <> 0,
      (${tagSets}::text[])[1 + i % ${tagSets.length}]::text[], array['go', 'sql'], (${cities}::text[])[1 + i % ${cities.length}],
      (array['nurture', 'attract', 'engage'])[1 + i % 3], (array['greenhouse', 'lever', 'api'])[1 + i % 3],
      now() - (i % 1000) * interval '1 hour'
    from generate_series(1, ${POOL_CANDIDATES}) i`;
  await sql`
    insert into messages (idempotency_key, candidate_id, channel, template, status, created_at, sent_at)
    select 'pool-' || c.id, c.id, 'email', 'news', 'sent', now() - (random() * 200) * interval '1 day', now()
    from candidates c where c.email like 'pool-%' and (c.first_name like '%5' or c.first_name like '%0')`;
  await sql`
    insert into journeys (id, workflow_id, candidate_id, playbook, playbook_version, status)
    select 'interview:' || c.id, 'candidate/' || c.id, c.id, 'interview', 1, 'waiting'
    from candidates c where c.email like 'pool-%' and c.first_name like '%3'`;
  await sql`analyze`;

  const time = async (run: () => Promise<unknown>) => {
    const ms: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await run();
      ms.push(performance.now() - started);
    }
    return ms.sort((a, b) => a - b)[2]!;
  };
  const pool = (await createPool(sql, { name: 'berlin-backend', filter: FILTER }))!;
  let result = { count: 0, contactable: 0 };
  const preview = await time(async () => (result = await previewPool(sql, pool, 10)));
  const count = await time(() => sql`select count(*) from candidates`);
  return [
    `- a smart pool's preview over ${fmt(POOL_CANDIDATES)} candidates (tags, location, not contacted for 90 days, ` +
      `no running interview journey: ${fmt(result.count)} found, ${fmt(result.contactable)} contactable, a sample of 10), ` +
      `median of 5: ${fmt(preview)} ms (target < 1,000 ms: ${preview < 1000 ? 'met' : 'NOT met'}); ` +
      `counting the whole table: ${fmt(count)} ms (ratio ${fmt(preview / count, 1)})`,
  ];
}
