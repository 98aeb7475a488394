// `npm run bench` (journeys): on one Temporal dev server, embedded PostgreSQL and a real SMTP server,
// journeys completed per second for a playbook of 3 sends, 2 waits and a branch, run by Rapport's candidate
// workflow (the interpreter), next to a hand-written workflow calling the same activities directly; then
// the resident memory of a `rapport worker` process holding 10,000 sleeping journeys.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { publishPipelines } from '../../src/cli/publish.js';
import { loadConfig } from '../../src/config/index.js';
import type { Sql } from '../../src/db/client.js';
import { createLogger } from '../../src/log.js';
import { createMailer } from '../../src/mail/mailer.js';
import { installTemporalLogging } from '../../src/temporal/connect.js';
import { cleanEnv, runCli, startCli, type RunningCli } from '../helpers/cli.js';
import { startBenchWorker } from './bench-worker.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import {
  cpuSince,
  fmt,
  positiveInt,
  readCpu,
  sleep,
  startCandidateWorkflow,
  startServices,
  withCleanups,
  withTimeout,
  type Cpu,
  type OnCleanup,
  type Services,
} from './services.js';
import type { handWrittenJourney } from './workflows/hand-written.js';

const PIPELINES = path.resolve(import.meta.dirname, 'pipelines');
const WORKFLOWS = path.resolve(import.meta.dirname, 'workflows/index.ts');
const JOURNEYS = positiveInt('BENCH_JOURNEYS', 200);
const SLEEPERS = positiveInt('BENCH_SLEEPERS', 10_000);
const SENDS_PER_JOURNEY = 3;
const TARGET_RATIO = 0.8;
const START_BATCH = 200;

const mib = (kib: number) => `${fmt(kib / 1024)} MiB`;
/** Progress on stderr: the run takes minutes; the results go to stdout at the end. */
const progress = (message: string) => console.error(`  [journeys] ${message}`);

interface Env extends Services {
  smtp: TestSmtp;
}

export async function benchJourneys(): Promise<string[]> {
  return withCleanups('journeys', async (onCleanup) => {
    const env = await setUp(onCleanup);
    const out = await benchThroughput(env, onCleanup);
    // BENCH_MEMORY=0 skips the memory part (minutes: 10,000 journeys start through one dev server).
    if (process.env.BENCH_MEMORY !== '0') out.push(...(await benchMemory(env, onCleanup)));
    return out;
  });
}

/** The dev server, PostgreSQL (migrated, bench playbooks published), an SMTP server and a client. */
async function setUp(onCleanup: OnCleanup): Promise<Env> {
  const validated = await runCli(['validate', PIPELINES], cleanEnv({}));
  if (validated.code !== 0) throw new Error(`rapport validate ${PIPELINES} failed:\n${validated.output}`);
  const services = await startServices(onCleanup, progress);
  // The SDK's own logs at warn, as `rapport worker` runs (the in-process worker and its native connection
  // install the SDK runtime; it shuts down with the last of them).
  installTemporalLogging(createLogger('warn'));
  await publishPipelines(services.sql, PIPELINES);
  const smtp = await startSmtp();
  onCleanup('the SMTP server', () => smtp.close());
  return { ...services, smtp };
}

/** Inserts `n` candidates who consent to email, half of them tagged `vip`, in one statement. */
async function insertCandidates(sql: Sql, prefix: string, n: number): Promise<string[]> {
  const emails = Array.from({ length: n }, (_, i) => `${prefix}-${i}@bench.example`);
  const names = Array.from({ length: n }, (_, i) => `Bench${i}`);
  const tags = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 'vip' : ''));
  const rows = await sql<{ id: string }[]>`
    insert into candidates (email, first_name, consent_email, tags)
    select e, f, true, case when t = '' then '{}'::text[] else array[t] end
    from unnest(${emails}::text[], ${names}::text[], ${tags}::text[]) as u(e, f, t)
    returning id`;
  return rows.map((r) => r.id);
}

type Variant = 'rapport' | 'hand-written';

interface Run {
  variant: Variant;
  journeys: number;
  seconds: number;
  mails: number;
  cpu: Cpu;
  handle: WorkflowHandle;
}

async function benchThroughput(env: Env, onCleanup: OnCleanup): Promise<string[]> {
  const { client, smtp } = env;
  const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
  // The activities' own database client and mailer, as `rapport worker` builds them (createServices);
  // the SDK's default worker settings, as `rapport worker` runs with; both variants share this worker.
  const mailer = createMailer(smtp.url);
  onCleanup('the mailer', () => Promise.resolve(mailer.close()));
  const { stop: stopWorker } = await startBenchWorker(
    {
      databaseUrl: env.databaseUrl,
      temporalAddress: env.temporalAddress,
      client,
      pipelinesDir: PIPELINES,
      workflowsPath: WORKFLOWS,
      taskQueue,
      mailer,
      progress,
    },
    onCleanup,
  );

  const runOnce = async (variant: Variant, round: number): Promise<Run> => {
    const ids = await insertCandidates(env.sql, `${variant}-${round}`, JOURNEYS);
    const before = smtp.received.length;
    const cpuBefore = await readCpu(env);
    const started = performance.now();
    const handles: WorkflowHandle[] = await Promise.all(
      ids.map((candidateId) =>
        variant === 'rapport'
          ? startCandidateWorkflow(client, taskQueue, candidateId, 'candidate.sourced')
          : client.workflow.start<typeof handWrittenJourney>('handWrittenJourney', {
              workflowId: `hand-written/${candidateId}`,
              taskQueue,
              args: [{ candidateId }],
            }),
      ),
    );
    await withTimeout(
      Promise.all(handles.map((h) => h.result() as Promise<unknown>)),
      120_000 + JOURNEYS * 500,
      `${variant} run ${round}: ${JOURNEYS} journeys did not all complete`,
    );
    const seconds = (performance.now() - started) / 1000;
    const run = {
      variant,
      journeys: JOURNEYS,
      seconds,
      mails: smtp.received.length - before,
      cpu: cpuSince(cpuBefore, await readCpu(env)),
      handle: handles[0]!,
    };
    progress(`${variant} run ${round}: ${JOURNEYS} journeys in ${fmt(seconds, 2)} s`);
    return run;
  };

  progress(`throughput: ${JOURNEYS} journeys per run, hand-written and Rapport alternately, twice`);
  const runs: Run[] = [];
  for (const round of [1, 2]) {
    runs.push(await runOnce('hand-written', round));
    runs.push(await runOnce('rapport', round));
  }
  await stopWorker();

  const best = (variant: Variant) =>
    runs.filter((r) => r.variant === variant).reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const all = (variant: Variant) =>
    runs
      .filter((r) => r.variant === variant)
      .map((r) => `${fmt(r.seconds, 2)} s`)
      .join(', ');
  const rapport = best('rapport');
  const hand = best('hand-written');
  const rate = (r: Run) => r.journeys / r.seconds;
  const ratio = rate(rapport) / rate(hand);
  const mails = runs.reduce((sum, r) => sum + r.mails, 0);
  const journeys = runs.reduce((sum, r) => sum + r.journeys, 0);
  const [completed] = await env.sql<{ n: string }[]>`
    select count(*) as n from journeys
    where playbook in ('bench-journey', 'bench-hand-written') and status = 'completed'`;
  const [rapportShape, handShape] = await Promise.all([shapeOf(rapport.handle), shapeOf(hand.handle)]);
  const ms = (cpuSeconds: number, r: Run) => `${fmt((cpuSeconds * 1000) / r.journeys, 1)} ms`;
  const cpuLine = (r: Run) => {
    const ours = r.cpu.temporal + r.cpu.postgres + r.cpu.bench;
    return `Temporal server ${ms(r.cpu.temporal, r)}, worker process (bench, SMTP server included) ${ms(r.cpu.bench, r)}, PostgreSQL ${ms(r.cpu.postgres, r)}; other processes ${ms(Math.max(r.cpu.machine - ours, 0), r)}`;
  };
  const line = (label: string, r: Run) =>
    `  ${label.padEnd(27)}${fmt(r.journeys)} journeys in ${fmt(r.seconds, 2)} s, ${fmt(rate(r), 1)} journeys/s (runs: ${all(r.variant)})`;
  return [
    `journeys/s, playbook of 3 sends, 2 waits of 1 s and a branch; ${fmt(JOURNEYS)} journeys started at once, best of 2 runs`,
    line('Rapport (bench-journey)', rapport),
    line('hand-written workflow', hand),
    `  ratio Rapport/hand-written ${fmt(ratio, 2)} (target ≥ ${fmt(TARGET_RATIO, 2)}: ${ratio >= TARGET_RATIO ? 'met' : 'not met'})`,
    `  per journey: Rapport ${rapportShape}`,
    `               hand-written ${handShape}`,
    `  CPU per journey (best runs, ${os.cpus().length} cores): Rapport ${cpuLine(rapport)}`,
    `               hand-written ${cpuLine(hand)}`,
    `  sanity: SMTP received ${fmt(mails)} messages for ${fmt(journeys)} journeys (${fmt(mails / journeys, 2)} per journey, ${SENDS_PER_JOURNEY} expected: ${mails === journeys * SENDS_PER_JOURNEY ? 'ok' : 'WRONG'}); ${fmt(Number(completed!.n))} journeys completed in the journeys table`,
  ];
}

/** What one workflow of a run cost Temporal: its activities by type, workflow tasks and history events. */
async function shapeOf(handle: WorkflowHandle): Promise<string> {
  const history = await handle.fetchHistory();
  const events = history.events ?? [];
  const activities = new Map<string, number>();
  let tasks = 0;
  for (const e of events) {
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name) activities.set(name, (activities.get(name) ?? 0) + 1);
    if (e.workflowTaskCompletedEventAttributes) tasks += 1;
  }
  const total = [...activities.values()].reduce((a, b) => a + b, 0);
  const detail = [...activities]
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${n} ${name}`)
    .join(', ');
  return `${total} activities (${detail}), ${tasks} workflow tasks, ${events.length} history events`;
}

interface Memory {
  rss: number;
  hwm: number;
}

async function readMemory(pid: number): Promise<Memory> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(match[1]);
  };
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

async function benchMemory(env: Env, onCleanup: OnCleanup): Promise<string[]> {
  const taskQueue = `bench-sleepers-${randomUUID().slice(0, 8)}`;
  const childEnv = cleanEnv({
    DATABASE_URL: env.databaseUrl,
    TEMPORAL_ADDRESS: env.temporalAddress,
    RAPPORT_TASK_QUEUE: taskQueue,
    RAPPORT_PIPELINES_DIR: PIPELINES,
    LOG_LEVEL: 'warn',
  });
  // Nor any other delivery channel the person running the bench may have configured.
  for (const key of Object.keys(childEnv)) if (key.startsWith('SMS_')) delete childEnv[key];
  const cacheSize = loadConfig(childEnv).temporal.workflowCacheSize;
  progress(`memory: starting \`rapport worker\` on task queue ${taskQueue}`);
  const cli: RunningCli = startCli(['worker'], childEnv);
  onCleanup('the `rapport worker` child', () => stopChild(cli));
  const pid = cli.child.pid!;
  const alive = () => {
    if (cli.child.exitCode !== null || cli.child.signalCode !== null)
      throw new Error(
        `rapport worker exited (${cli.child.exitCode ?? cli.child.signalCode}):\n${cli.output()}`,
      );
  };

  // Ready once it polls its task queue; then let start-up garbage settle before the idle sample.
  const readyBy = Date.now() + 180_000;
  for (;;) {
    alive();
    const { pollers } = await env.client.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: taskQueue },
    });
    if (pollers.length) break;
    if (Date.now() > readyBy)
      throw new Error(`rapport worker did not poll ${taskQueue} within 180 s:\n${cli.output()}`);
    await sleep(250);
  }
  await sleep(5000);
  alive();
  const idle = await readMemory(pid);

  progress(`memory: starting ${fmt(SLEEPERS)} sleeping journeys, ${START_BATCH} at a time`);
  const ids = await insertCandidates(env.sql, 'sleeper', SLEEPERS);
  const started = performance.now();
  for (let i = 0; i < ids.length; i += START_BATCH) {
    alive();
    await withTimeout(
      Promise.all(
        ids
          .slice(i, i + START_BATCH)
          .map((id) => startCandidateWorkflow(env.client, taskQueue, id, 'candidate.open_to_work')),
      ),
      120_000,
      `starting sleeping journeys ${i + 1}–${Math.min(i + START_BATCH, ids.length)}`,
    );
  }
  const startSeconds = (performance.now() - started) / 1000;

  // Fails when no journey reached its wait for 3 minutes (stuck), or after 0.5 s per journey overall.
  const waitingBy = Date.now() + 120_000 + SLEEPERS * 500;
  let waiting = 0;
  let lastProgress = { at: Date.now(), waiting: 0 };
  let lastReport = Date.now();
  for (;;) {
    alive();
    const [row] = await env.sql<{ n: string }[]>`
      select count(*) as n from journeys where playbook = 'bench-sleeper' and status = 'waiting'`;
    waiting = Number(row!.n);
    if (waiting >= SLEEPERS) break;
    if (waiting > lastProgress.waiting) lastProgress = { at: Date.now(), waiting };
    const stalled = Date.now() - lastProgress.at > 180_000;
    if (stalled || Date.now() > waitingBy)
      throw new Error(
        `only ${fmt(waiting)} of ${fmt(SLEEPERS)} sleeping journeys were waiting after ${fmt((Date.now() - started) / 1000)} s` +
          (stalled ? ' (none more in the last 3 minutes)' : '') +
          `; worker output:\n${cli.output().slice(-4000)}`,
      );
    if (Date.now() - lastReport > 30_000) {
      progress(`memory: ${fmt(waiting)} of ${fmt(SLEEPERS)} journeys waiting`);
      lastReport = Date.now();
    }
    await sleep(1000);
  }
  const allWaitingSeconds = (performance.now() - started) / 1000;
  await sleep(2000);
  alive();
  const loaded = await readMemory(pid);
  const grown = loaded.rss - idle.rss;
  const cachedAtMost = Math.min(SLEEPERS, cacheSize);
  return [
    `worker resident memory: a \`rapport worker\` child process, workflow cache ${fmt(cacheSize)} (RAPPORT_WORKFLOW_CACHE_SIZE default)`,
    `  idle, polling               ${mib(idle.rss)}`,
    `  ${`${fmt(SLEEPERS)} sleeping journeys`.padEnd(28)}${mib(loaded.rss)} (peak ${mib(loaded.hwm)}); +${fmt(grown / SLEEPERS, 1)} KiB per journey, +${fmt(grown / cachedAtMost, 1)} KiB per cached workflow (at most ${fmt(cachedAtMost)} cached)`,
    `  started in ${fmt(startSeconds, 1)} s (signalWithStart, ${START_BATCH} at a time), all mirrored as waiting after ${fmt(allWaitingSeconds, 1)} s`,
  ];
}

/** SIGTERM (the worker shuts down in order), then SIGKILL if it is still there after 15 seconds. */
async function stopChild(cli: RunningCli): Promise<void> {
  if (cli.child.exitCode !== null || cli.child.signalCode !== null) return;
  cli.child.kill('SIGTERM');
  const exited = await Promise.race([cli.exited.then(() => true), sleep(15_000).then(() => false)]);
  if (!exited) {
    cli.child.kill('SIGKILL');
    await cli.exited;
  }
}
