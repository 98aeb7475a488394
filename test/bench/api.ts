// `npm run bench` (API): on one Temporal dev server and embedded PostgreSQL, how many events per second
// POST /v1/events takes through the real HTTP server to their workflows, next to the raw Temporal client's
// signal-with-start of the same candidate workflow with the same signal, at the same concurrency; then the
// API's latency at a fixed arrival rate of half that saturation rate, and how long accepted events took to
// reach their workflows.
//
// The API answers 202 once an event is stored and signals its workflow right after (src/intake/event-delivery.ts),
// so a Rapport run lasts until the last event it posted is marked delivered: its rate counts delivered
// events, not answers (those are printed too).
//
// The API's job ends at signal-with-start, so no worker polls the task queue during either measurement:
// both sides create the workflow execution and its first workflow task, and nothing runs it. HTTP load
// comes from a separate process (test/bench/http-load.ts, node:http keep-alive), as real clients do; its
// CPU shows under "other processes". The API is a real `rapport api` process of its own, as in
// production. GET /healthz at the same concurrency shows what HTTP alone costs.
import { fork, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { createApiKey } from '../../src/db/api-keys.js';
import type { CandidateEvent } from '../../src/domain.js';
import type { Load, LoadResult, Target } from './http-load.js';
import {
  CANDIDATE_WORKFLOW,
  candidateWorkflowId,
  eventSignal,
  type CandidateWorkflow,
} from '../../workflows/contract.js';
import { cleanEnv, RAPPORT_BIN } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import {
  cpuSince,
  type OnCleanup,
  fmt,
  positiveInt,
  readCpu,
  sleep,
  startServices,
  withCleanups,
  withTimeout,
  type Cpu,
  type Services,
} from './services.js';

const PIPELINES = path.resolve(import.meta.dirname, '../../pipelines');
const EVENTS = positiveInt('BENCH_EVENTS', 2000);
/** Requests in flight: each side's saturation rate is its best over these levels. */
const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '16,32,64')
  .split(',')
  .map((c) => Number(c.trim()))
  .filter((c) => Number.isInteger(c) && c > 0);
const OPEN_LOOP_SECONDS = positiveInt('BENCH_OPEN_LOOP_SECONDS', 10);
/** Pause before each latency run, so that neither side pays for the backlog the saturation runs left. */
const SETTLE_MS = 5000;
const WARM_UP = Math.min(200, EVENTS);
const TARGET_RATIO = 0.7;
const TARGET_P99_MS = 50;
const SOURCE = 'bench-api';

const progress = (message: string) => console.error(`  [api] ${message}`);

/** One request: resolves when it was accepted, rejects with what went wrong otherwise. */
type Send = (i: number) => Promise<void>;

type Side = 'raw' | 'rapport' | 'healthz';

/** What a measurement took: latencies in milliseconds (sorted) and the CPU the processes spent. */
interface Measured {
  requests: number;
  /** For Rapport: until every event reached its workflow (signal-with-start answered). */
  seconds: number;
  /** Until the last request was answered. */
  acceptedSeconds: number;
  /** From the last answer until every event reached its workflow. */
  drainMs: number;
  latencies: number[];
  cpu: Cpu;
}

interface Run extends Measured {
  side: Side;
}

export async function benchApi(): Promise<string[]> {
  return withCleanups('api', async (onCleanup) => {
    const services = await startServices(onCleanup, progress);
    const taskQueue = `bench-api-${randomUUID().slice(0, 8)}`;

    // The API is a real `rapport api` process (as in production: a process of its own), on a free port,
    // rate limit off; its request log at the default level `info`, to /dev/null.
    const api = await startApiProcess(services, taskQueue, onCleanup);
    const base = api.url;
    const { key } = await createApiKey(services.sql, { name: 'bench', scopes: ['events:write'] });
    const scraper = (await createApiKey(services.sql, { name: 'bench-metrics', scopes: ['metrics:read'] }))
      .key;

    // HTTP load comes from a process of its own, as real clients do; the raw client is Temporal's own.
    const loader = startLoader(onCleanup);
    const targets: Record<Exclude<Side, 'raw'>, (label: string) => Target> = {
      rapport: (label) => ({ kind: 'event', url: `${base}/v1/events`, key, label, source: SOURCE }),
      healthz: () => ({ kind: 'healthz', url: `${base}/healthz` }),
    };
    const raw = rawSignalWithStart(services, taskQueue);
    const apply = (side: Side, label: string, load: Load): Promise<LoadResult> => {
      if (side !== 'raw') return loader(targets[side](label), load);
      return load.loop === 'closed'
        ? closedLoop(load.n, load.concurrency, raw(label))
        : openLoop(load.perSecond, load.seconds, raw(label));
    };
    // Rapport answers 202 once the event is stored and signals its workflow right after: a Rapport run
    // lasts until every event it posted has reached its workflow, and its rate counts delivered events.
    const measure = async (side: Side, label: string, load: Load): Promise<LoadResult & Run> => {
      const before = await readCpu(services, api.pid);
      const started = performance.now();
      const result = await apply(side, label, load);
      const answered = performance.now();
      if (side === 'rapport') await untilDelivered(services);
      const ended = performance.now();
      return {
        side,
        ...result,
        seconds: side === 'rapport' ? (ended - started) / 1000 : result.seconds,
        acceptedSeconds: result.seconds,
        drainMs: ended - answered,
        cpu: cpuSince(before, await readCpu(services, api.pid)),
      };
    };
    const saturate = async (side: Side, label: string, n: number, concurrency = 32) => ({
      ...(await measure(side, label, { loop: 'closed', n, concurrency })),
      concurrency,
    });

    progress(`warm-up: ${WARM_UP} requests each`);
    for (const side of ['raw', 'rapport', 'healthz'] as const) await saturate(side, 'warm-up', WARM_UP);

    progress(
      `saturation: ${fmt(EVENTS)} requests per run at ${CONCURRENCIES.join(', ')} in flight, raw and Rapport alternately, twice`,
    );
    const runs: (Run & { concurrency: number })[] = [];
    for (const round of [1, 2]) {
      for (const concurrency of CONCURRENCIES) {
        for (const side of ['raw', 'rapport'] as const) {
          const run = await saturate(side, `run-${round}-${concurrency}`, EVENTS, concurrency);
          runs.push(run);
          progress(
            `${side} run ${round} at ${concurrency}: ${fmt(EVENTS)} requests in ${fmt(run.seconds, 2)} s`,
          );
        }
      }
    }
    const healthz = await saturate('healthz', 'run', EVENTS);
    const rate = (r: Measured) => r.requests / r.seconds;
    const best = (side: Side) =>
      runs.filter((r) => r.side === side).reduce((a, b) => (rate(b) > rate(a) ? b : a));
    const bestRaw = best('raw');
    const bestRapport = best('rapport');
    const ratio = rate(bestRapport) / rate(bestRaw);

    const halfRate = rate(bestRapport) / 2;
    progress(
      `latency: ${fmt(halfRate, 1)} requests/s for ${OPEN_LOOP_SECONDS} s, raw then Rapport, each after ${SETTLE_MS / 1000} s of rest`,
    );
    const open = async (side: Side) => {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      // Steady state: the rest let idle keep-alive connections close; open them again before measuring.
      await measure(side, 'reconnect', { loop: 'closed', n: 20, concurrency: 4 });
      const before = side === 'rapport' ? await deliveryTimes(base, scraper) : undefined;
      const run = await measure(side, 'open-loop', {
        loop: 'open',
        perSecond: halfRate,
        seconds: OPEN_LOOP_SECONDS,
      });
      return { ...run, delivery: before && countsSince(before, await deliveryTimes(base, scraper)) };
    };
    const openRaw = await open('raw');
    const openRapport = await open('rapport');

    // Sanity: every accepted event is stored and marked delivered (marks are written in batches, each
    // within a quarter second); every request started one workflow.
    await sleep(1000);
    const posted = WARM_UP + 2 * CONCURRENCIES.length * EVENTS + 20 + openRapport.requests;
    const signalled = WARM_UP + 2 * CONCURRENCIES.length * EVENTS + 20 + openRaw.requests;
    const [stored] = await services.sql<{ n: number; delivered: number }[]>`
      select count(*)::int as n, count(delivered_at)::int as delivered from events where source = ${SOURCE}`;
    const workflows = await countWorkflows(services, taskQueue, posted + signalled);

    const all = (side: Side) =>
      runs
        .filter((r) => r.side === side)
        .map((r) => `${fmt(rate(r))}/s at ${r.concurrency}`)
        .join(', ');
    const ms = (n: number) => `${fmt(n, 1)} ms`;
    const p50p99 = (r: Measured) => `p50 ${ms(pct(r.latencies, 0.5))}, p99 ${ms(pct(r.latencies, 0.99))}`;
    const closedLine = (label: string, unit: string, r: Run & { concurrency: number }) =>
      `  ${label.padEnd(36)}${fmt(rate(r))} ${unit}/s at ${r.concurrency} in flight, ${p50p99(r)} (runs: ${all(r.side)})`;
    const acceptedLine = (r: Run) =>
      `  ${''.padEnd(36)}of which answering: ${fmt(r.requests / r.acceptedSeconds)} events/s answered 202; all marked delivered ${ms(r.drainMs)} after the last answer (marks are written within a quarter second)`;
    const deliveryLine = (r: Measured & { delivery?: Map<number, number> }) => {
      const counts = r.delivery!;
      const total = counts.get(Infinity) ?? 0;
      const within = [0.025, 0.05, 0.1, 0.25]
        .map(
          (le) =>
            `${fmt(((counts.get(le) ?? 0) / Math.max(total, 1)) * 100, 1)}% within ${fmt(le * 1000)} ms`,
        )
        .join(', ');
      return `  ${'  accepted → in its workflow'.padEnd(36)}${within} (of ${fmt(total)}); all marked delivered ${ms(r.drainMs)} after the last answer`;
    };
    const openLine = (label: string, r: Measured & { maxInFlight: number }) =>
      `  ${label.padEnd(36)}${fmt(r.requests)} at ${fmt(rate(r), 1)}/s, ${p50p99(r)}, max ${ms(r.latencies.at(-1)!)}; at most ${r.maxInFlight} in flight`;
    const cpuLine = (label: string, r: Measured) => {
      const each = (s: number) => `${fmt((s * 1000) / r.requests, 2)} ms`;
      const ours = r.cpu.temporal + r.cpu.postgres + r.cpu.bench + r.cpu.api;
      return `    ${label.padEnd(34)}Temporal server ${each(r.cpu.temporal)}, rapport api ${each(r.cpu.api)}, bench process ${each(r.cpu.bench)}, PostgreSQL ${each(r.cpu.postgres)}; other processes ${each(Math.max(r.cpu.machine - ours, 0))}`;
    };
    const p99 = pct(openRapport.latencies, 0.99);
    return [
      `events accepted/s at saturation: the best of 2 runs of ${fmt(EVENTS)} requests at each of ${CONCURRENCIES.join(', ')} in flight; each request starts a new candidate workflow; no worker polls the task queue (the API's job ends at signal-with-start); Rapport's rate counts events that reached their workflow, until the last one did`,
      closedLine('raw client signalWithStart', 'req', bestRaw),
      closedLine('Rapport POST /v1/events (HTTP)', 'events', bestRapport),
      acceptedLine(bestRapport),
      `  ratio Rapport/raw ${fmt(ratio, 2)} (target ≥ ${fmt(TARGET_RATIO, 2)}: ${ratio >= TARGET_RATIO ? 'met' : 'not met'})`,
      `  HTTP alone, GET /healthz (same load generator):  ${fmt(rate(healthz))} req/s, ${p50p99(healthz)}`,
      `  CPU per request (${os.cpus().length} cores; the bench process holds the raw Temporal client; the HTTP load generator is among the other processes):`,
      cpuLine('raw signalWithStart', bestRaw),
      cpuLine('Rapport POST /v1/events', bestRapport),
      cpuLine('GET /healthz', healthz),
      `latency at half saturation: ${fmt(halfRate, 1)} requests/s for ${OPEN_LOOP_SECONDS} s (open loop: fixed arrival rate, each latency from the request's scheduled time)`,
      `${openLine('Rapport POST /v1/events', openRapport)} (target p99 < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? 'met' : 'not met'})`,
      deliveryLine(openRapport),
      openLine('raw client signalWithStart', openRaw),
      cpuLine('Rapport POST /v1/events', openRapport),
      cpuLine('raw signalWithStart', openRaw),
      `  sanity: ${fmt(stored!.n)} events stored for ${fmt(posted)} posted, ${fmt(stored!.delivered)} marked delivered; ${workflows}`,
    ];
  });
}

/** Signal-with-start of a new candidate workflow, exactly as POST /v1/events does it (src/http/events.ts). */
function rawSignalWithStart(services: Services, taskQueue: string) {
  return (_label: string): Send =>
    async () => {
      const candidateId = randomUUID();
      const event: CandidateEvent = {
        id: randomUUID(),
        type: 'candidate.applied',
        source: SOURCE,
        occurred_at: new Date().toISOString(),
        data: { job: { title: 'Backend engineer' } },
      };
      await services.client.workflow.signalWithStart<CandidateWorkflow, [CandidateEvent]>(
        CANDIDATE_WORKFLOW,
        {
          workflowId: candidateWorkflowId(candidateId),
          taskQueue,
          args: [{ candidateId }],
          signal: eventSignal,
          signalArgs: [event],
        },
      );
    };
}

/** `rapport api` in a process of its own, pointed at the bench's services; resolves once it is ready. */
async function startApiProcess(services: Services, taskQueue: string, onCleanup: OnCleanup) {
  const port = await freePort();
  // Its request log goes to /dev/null, not through a pipe this process would have to read.
  const child = spawn(process.execPath, [RAPPORT_BIN, 'api'], {
    env: cleanEnv({
      DATABASE_URL: services.databaseUrl,
      TEMPORAL_ADDRESS: services.temporalAddress,
      TEMPORAL_NAMESPACE: 'default',
      RAPPORT_TASK_QUEUE: taskQueue,
      RAPPORT_PIPELINES_DIR: PIPELINES,
      RAPPORT_ORG_NAME: 'Bench',
      RAPPORT_RATE_LIMIT: '0',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  onCleanup('rapport api', async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`rapport api exited with ${child.exitCode}: ${stderr}`);
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, pid: child.pid! };
    if (Date.now() > deadline) throw new Error(`rapport api was not ready within 60 s: ${stderr}`);
    await sleep(200);
  }
}

/** The load generator process (test/bench/http-load.ts): one load at a time, answered over IPC. */
function startLoader(onCleanup: OnCleanup) {
  const child = fork(path.join(import.meta.dirname, 'http-load.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  onCleanup('the HTTP load generator', async () => {
    child.disconnect();
    await once(child, 'exit');
  });
  let next = 0;
  const waiting = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();
  child.on('message', (m: { id: number; result?: LoadResult; error?: string }) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error !== undefined) w?.reject(new Error(m.error));
    else w?.resolve(m.result!);
  });
  return (target: Target, load: Load) =>
    withTimeout(
      new Promise<LoadResult>((resolve, reject) => {
        const id = next++;
        waiting.set(id, { resolve, reject });
        child.send({ id, target, load });
      }),
      120_000 + (load.loop === 'closed' ? load.n * 100 : load.seconds * 2000),
      'the HTTP load did not complete',
    );
}

/** `n` requests, `concurrency` in flight at any time; each request's latency in milliseconds, sorted. */
async function closedLoop(n: number, concurrency: number, send: Send) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await withTimeout(
    Promise.all(
      Array.from({ length: Math.min(concurrency, n) }, async () => {
        while (next < n) {
          const i = next++;
          const t = performance.now();
          await send(i);
          latencies.push(performance.now() - t);
        }
      }),
    ),
    60_000 + n * 100,
    `${n} requests did not complete`,
  );
  const seconds = (performance.now() - started) / 1000;
  return { requests: n, seconds, latencies: latencies.sort((a, b) => a - b), maxInFlight: concurrency };
}

/**
 * Requests at a fixed arrival rate for `seconds`, whether or not earlier ones have answered (open loop);
 * each latency runs from the request's scheduled time, so a late start counts against it.
 */
async function openLoop(perSecond: number, seconds: number, send: Send) {
  const n = Math.max(1, Math.round(perSecond * seconds));
  const interval = 1000 / perSecond;
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let failure: unknown;
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const at = started + i * interval;
    const wait = at - performance.now();
    if (wait >= 1) await sleep(wait);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    pending.push(
      send(i).then(
        () => {
          inFlight -= 1;
          latencies.push(performance.now() - at);
        },
        // Noted here (the loop goes on sending), reported once all have answered.
        (error: unknown) => void (failure ??= error),
      ),
    );
  }
  await withTimeout(Promise.all(pending), 60_000, `${n} open-loop requests did not complete`);
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(JSON.stringify(failure));
  return {
    requests: n,
    seconds: (performance.now() - started) / 1000,
    latencies: latencies.sort((a, b) => a - b),
    maxInFlight,
  };
}

/** The `q` quantile of sorted values (nearest rank). */
function pct(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Waits until every event the bench posted is marked delivered (marks are written within a quarter second). */
async function untilDelivered(services: Services): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const [row] = await services.sql<{ n: number }[]>`
      select count(*)::int as n from events where delivered_at is null and source = ${SOURCE}`;
    if (row!.n === 0) return;
    if (Date.now() > deadline) throw new Error(`${row!.n} accepted events did not reach their workflow`);
    await sleep(20);
  }
}

/** The API's counts of events delivered within each bound (rapport_event_delivery_seconds), by bound in seconds. */
async function deliveryTimes(base: string, key: string): Promise<Map<number, number>> {
  const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${key}` } })).text();
  const counts = new Map<number, number>();
  for (const [, le, n] of text.matchAll(/^rapport_event_delivery_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm))
    counts.set(le === '+Inf' ? Infinity : Number(le), Number(n));
  return counts;
}

function countsSince(before: Map<number, number>, after: Map<number, number>): Map<number, number> {
  return new Map([...after].map(([le, n]) => [le, n - (before.get(le) ?? 0)]));
}

/** How many workflows the task queue received (visibility is eventually consistent: waits up to 10 s). */
async function countWorkflows(services: Services, taskQueue: string, expected: number): Promise<string> {
  try {
    let count = 0;
    for (const deadline = Date.now() + 10_000; ; await sleep(250)) {
      ({ count } = await services.client.workflow.count(`TaskQueue = "${taskQueue}"`));
      if (count >= expected || Date.now() > deadline) break;
    }
    return `${fmt(count)} workflows on the task queue for ${fmt(expected)} requests (${count === expected ? 'ok' : 'WRONG'})`;
  } catch (error) {
    return `workflows on the task queue not counted (${(error as Error).message})`;
  }
}
