// The console benchmark (`npm run bench`, part `console`): with 10,000 candidates, 50,000 timeline rows
// and 1,000 running journeys (real workflows on a dev server, answering the candidate page's live query
// from an in-process worker), the server time of every console page — p50 and p95 over repeated
// requests, target p95 < 300 ms — next to the same data read through the JSON API.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { publishPipelines } from '../../src/cli/publish.js';
import { createApiKey } from '../../src/db/api-keys.js';
import { createSql } from '../../src/db/client.js';
import { upsertJob } from '../../src/db/jobs.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/log.js';
import { loadSources } from '../../src/playbook/sources.js';
import { loadLinkSigner } from '../../src/links/tokens.js';
import { installTemporalLogging } from '../../src/temporal/connect.js';
import { WORKFLOWS_SOURCE } from '../../src/paths.js';
import { postSignIn } from '../helpers/console.js';
import { startBenchWorker } from './bench-worker.js';
import {
  fmt,
  positiveInt,
  sleep,
  startCandidateWorkflow,
  startServices,
  withCleanups,
  withTimeout,
} from './services.js';

const PIPELINES = path.resolve(import.meta.dirname, 'pipelines');
const CANDIDATES = positiveInt('BENCH_CONSOLE_CANDIDATES', 10_000);
const TIMELINE_PER_CANDIDATE = 5;
const JOURNEYS = positiveInt('BENCH_CONSOLE_JOURNEYS', 1_000);
const REQUESTS = positiveInt('BENCH_CONSOLE_REQUESTS', 40);
const WARMUP = 5;
const TARGET_P95_MS = 300;

const progress = (message: string) => console.error(`  [console] ${message}`);

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

export async function benchConsole(): Promise<string[]> {
  return withCleanups('console', async (onCleanup) => {
    const services = await startServices(onCleanup, progress);
    const taskQueue = `bench-console-${randomUUID().slice(0, 8)}`;
    await publishPipelines(services.sql, PIPELINES);
    const sql = createSql(services.databaseUrl);
    onCleanup('the app database client', () => sql.end({ timeout: 5 }));
    installTemporalLogging(createLogger('warn'));

    progress(
      `seeding ${fmt(CANDIDATES)} candidates and ${fmt(CANDIDATES * TIMELINE_PER_CANDIDATE)} timeline rows`,
    );
    const ids = (
      await sql<{ id: string }[]>`
        insert into candidates (email, first_name, last_name, consent_email, tags, stage, employment_status,
          skills, location)
        select 'c' || g || '@bench.example', 'Bench' || g, 'Person', true,
          case when g % 3 = 0 then array['backend'] else '{}'::text[] end,
          (array['discover', 'attract', 'engage', 'nurture', 'hire'])[1 + g % 5],
          case when g % 7 = 0 then 'open' else null end,
          case g % 4 when 0 then array['go', 'postgres'] when 1 then array['go'] when 2 then array['java', 'kafka']
            else array['Postgres', 'Kafka'] end,
          (array['Berlin', 'Berlin, Germany', 'Munich', 'Remote'])[1 + g % 4]
        from generate_series(1, ${CANDIDATES}) g
        returning id`
    ).map((r) => r.id);
    await sql`
      insert into interactions (dedup_key, candidate_id, kind, summary, data, occurred_at)
      select 'bench:' || c.id || ':' || g, c.id, case when g = 1 then 'event' else 'note' end,
        'Bench entry ' || g, '{}', now() - make_interval(days => g * 3)
      from candidates c, generate_series(1, ${TIMELINE_PER_CANDIDATE}) g`;
    await sql`
      insert into messages (idempotency_key, candidate_id, journey_id, step, channel, template, to_address,
        subject, body_text, status, created_at)
      select 'bench/' || c.id, c.id, 'bench:' || c.id, 'hello', 'email', 'd', c.email, 'Hello ' || c.first_name, 'Hi',
        (array['sent', 'sent', 'sent', 'recorded', 'failed', 'unknown'])[1 + (row_number() over ()) % 6],
        now() - make_interval(mins => (row_number() over ())::int)
      from candidates c limit 3000`;
    await sql`
      insert into tasks (candidate_id, title, assignee, due_at)
      select c.id, 'Call ' || c.first_name, 'sam@bench.example', now() + make_interval(days => (row_number() over ())::int % 10 - 3)
      from candidates c limit 500`;
    await sql`
      insert into events (source, source_event_id, type, candidate_id, data, occurred_at, delivered_at)
      select 'bench', 'reply-' || c.id, 'candidate.replied', c.id, '{"subject": "Re: hello"}', now() - interval '1 hour', now()
      from candidates c limit 200`;
    // A job its playbooks have not rediscovered for: its page ranks all 10,000 on its own skills and place.
    const jobId = await upsertJob(
      sql,
      {
        external_id: 'bench-job',
        title: 'Platform engineer',
        location: 'Berlin',
        skills: ['go', 'postgres', 'kafka'],
      },
      'api',
      'open',
    );
    await sql`analyze`;

    const { templates } = await startBenchWorker(
      {
        databaseUrl: services.databaseUrl,
        temporalAddress: services.temporalAddress,
        client: services.client,
        pipelinesDir: PIPELINES,
        workflowsPath: WORKFLOWS_SOURCE,
        taskQueue,
        sql,
        progress,
      },
      onCleanup,
    );

    progress(`starting ${fmt(JOURNEYS)} journeys that wait an hour`);
    const journeyIds = ids.slice(0, JOURNEYS);
    for (let i = 0; i < journeyIds.length; i += 100) {
      await Promise.all(
        journeyIds
          .slice(i, i + 100)
          .map((id) => startCandidateWorkflow(services.client, taskQueue, id, 'candidate.open_to_work')),
      );
    }
    await withTimeout(
      (async () => {
        for (;;) {
          const [row] = await sql<{ n: number }[]>`
            select count(*)::int as n from journeys where playbook = 'bench-sleeper' and status = 'waiting'`;
          if (row!.n >= JOURNEYS) return;
          await sleep(500);
        }
      })(),
      600_000,
      'waiting for the journeys to reach their wait',
    );

    const app = createApp({
      sql,
      temporal: services.client,
      taskQueue,
      log: createLogger('silent'),
      sources: await loadSources(PIPELINES),
      links: await loadLinkSigner(sql),
      templates,
      org: { name: 'Bench' },
      keyCacheMs: 60_000,
    });
    const { key } = await createApiKey(sql, { name: 'bench', scopes: ['*'] });
    const signIn = await postSignIn(app, key);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    const withJourney = journeyIds[0]!;
    const attentionEtag =
      (await app.request('/?fragment=attention', { headers: { cookie } })).headers.get('etag') ?? '';

    const pages: {
      page: string;
      api?: string;
      label?: string;
      headers?: Record<string, string>;
      status?: number;
    }[] = [
      { page: '/' },
      { page: '/?fragment=attention', headers: { 'if-none-match': attentionEtag }, status: 304 },
      { page: '/candidates', api: '/v1/candidates' },
      { page: '/candidates?q=bench42', api: '/v1/candidates?q=bench42' },
      { page: '/candidates?tag=backend&stage=nurture', api: '/v1/candidates?tag=backend&stage=nurture' },
      { page: '/candidates?playbook=bench-sleeper' },
      { page: `/candidates/${withJourney}`, api: `/v1/candidates/${withJourney}`, label: '/candidates/{id}' },
      { page: '/playbooks', api: '/v1/playbooks' },
      { page: '/playbooks/bench-sleeper', api: '/v1/playbooks/bench-sleeper' },
      { page: '/outbox', api: '/v1/messages' },
      { page: '/outbox?status=recorded', api: '/v1/messages?status=recorded' },
      { page: '/tasks', api: '/v1/tasks?status=open' },
      { page: '/jobs', api: '/v1/jobs' },
      { page: `/jobs/${jobId}`, api: `/v1/jobs/${jobId}`, label: '/jobs/{id}' },
    ];

    const time = async (url: string, headers: Record<string, string>, status: number) => {
      const samples: number[] = [];
      for (let i = 0; i < WARMUP + REQUESTS; i++) {
        const started = performance.now();
        const res = await app.request(url, { headers });
        await res.arrayBuffer();
        const ms = performance.now() - started;
        if (res.status !== status) throw new Error(`${url} answered ${res.status}, not ${status}`);
        if (i >= WARMUP) samples.push(ms);
      }
      return samples.sort((a, b) => a - b);
    };

    progress(`timing ${pages.length} pages, ${REQUESTS} requests each after ${WARMUP} warm-up`);
    const lines = [
      `server time per page, in process (no network): ${fmt(REQUESTS)} requests each after ${WARMUP} warm-up; ${fmt(CANDIDATES)} candidates, ${fmt(CANDIDATES * TIMELINE_PER_CANDIDATE)} timeline rows, ${fmt(JOURNEYS)} running journeys (the candidate page queries its live workflow)`,
      `  ${'page'.padEnd(40)} ${'p50'.padStart(8)} ${'p95'.padStart(8)}    ${'JSON API'.padEnd(40)} ${'p50'.padStart(8)} ${'p95'.padStart(8)}`,
    ];
    let worst = 0;
    for (const p of pages) {
      const page = await time(p.page, { cookie, ...p.headers }, p.status ?? 200);
      const api = p.api ? await time(p.api, { authorization: `Bearer ${key}` }, 200) : undefined;
      worst = Math.max(worst, quantile(page, 0.95));
      lines.push(
        `  ${(p.label ?? p.page).padEnd(40)} ${fmt(quantile(page, 0.5), 1).padStart(6)} ms ${fmt(quantile(page, 0.95), 1).padStart(6)} ms` +
          (api
            ? `    ${(p.label ? `/v1${p.label}` : p.api!).padEnd(40)} ${fmt(quantile(api, 0.5), 1).padStart(6)} ms ${fmt(quantile(api, 0.95), 1).padStart(6)} ms`
            : ''),
      );
    }
    lines.push(
      `  slowest page p95 ${fmt(worst, 1)} ms (target < ${TARGET_P95_MS} ms: ${worst < TARGET_P95_MS ? 'met' : 'not met'})`,
    );
    return lines;
  });
}
