// What the service benchmarks share: a Temporal dev server and embedded PostgreSQL (migrated) in a
// temporary directory with a client to each, stopped in reverse order; CPU accounting of those processes;
// env counts, timeouts and number formatting.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../src/config/index.js';
import type { CandidateEvent } from '../../src/domain.js';
import { createSql, type Sql } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { startEmbeddedPostgres } from '../../src/embedded/postgres.js';
import { findTemporalBinary } from '../../src/embedded/temporal-binary.js';
import { startTemporalDevServer } from '../../src/embedded/temporal-server.js';
import { freePort } from '../helpers/ports.js';
import {
  CANDIDATE_WORKFLOW,
  candidateWorkflowId,
  eventSignal,
  type CandidateWorkflow,
} from '../../workflows/contract.js';

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The positive integer in the environment variable `name`, or `fallback` when it is unset. */
export function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer (got "${raw}")`);
  return n;
}

/** Rejects with `message` when `promise` takes longer than `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} (timed out after ${fmt(ms / 1000)} s)`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export type OnCleanup = (what: string, run: () => Promise<unknown>) => void;

/**
 * Runs `body` with a cleanup registry; whatever it registered is stopped in reverse order afterwards, each
 * within a minute, failures reported on stderr with `label`.
 */
export async function withCleanups<T>(label: string, body: (onCleanup: OnCleanup) => Promise<T>): Promise<T> {
  const cleanups: { what: string; run: () => Promise<unknown> }[] = [];
  try {
    return await body((what, run) => cleanups.push({ what, run }));
  } finally {
    for (const { what, run } of cleanups.reverse()) {
      await withTimeout(run(), 60_000, `stopping ${what}`).catch((error: unknown) =>
        console.error(`  [${label}] stopping ${what} failed: ${String(error)}`),
      );
    }
  }
}

export interface Services {
  dir: string;
  /** Where the dev server and PostgreSQL write their process ids, for CPU accounting. */
  pidFiles: { temporal: string; postgres: string };
  /** A small client for the bench's own queries. */
  sql: Sql;
  databaseUrl: string;
  temporalAddress: string;
  client: Client;
}

/** A Temporal dev server and PostgreSQL (migrated) in a new temporary directory, and a client to each. */
export async function startServices(
  onCleanup: OnCleanup,
  progress: (message: string) => void,
): Promise<Services> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rapport-bench-'));
  // As root, PostgreSQL runs as the `postgres` user, which must enter the directory.
  await fs.chmod(dir, 0o755);
  onCleanup('the temporary directory', () => fs.rm(dir, { recursive: true, force: true }));
  const config = loadConfig();
  const binary = await findTemporalBinary({
    cliPath: config.temporal.cliPath,
    cacheDir: config.cacheDir,
    onProgress: progress,
  });
  progress(`starting the Temporal dev server and PostgreSQL in ${dir}`);
  const [temporal, pg] = await Promise.all([
    (async () => {
      const server = await startTemporalDevServer({
        binary: binary.path,
        dbFile: path.join(dir, 'temporal.sqlite'),
        port: await freePort(),
        namespace: 'default',
      });
      onCleanup('the Temporal dev server', () => server.stop());
      return server;
    })(),
    (async () => {
      const server = await startEmbeddedPostgres({
        dataDir: path.join(dir, 'postgres'),
        port: await freePort(),
      });
      onCleanup('PostgreSQL', () => server.stop());
      return server;
    })(),
  ]);
  const sql = createSql(pg.url, { max: 2 });
  onCleanup('the bench database client', () => sql.end({ timeout: 5 }));
  await migrate(sql);
  const connection = await Connection.connect({ address: temporal.address });
  onCleanup('the Temporal client', () => connection.close());
  const client = new Client({ connection, namespace: 'default' });
  return {
    dir,
    pidFiles: {
      temporal: path.join(dir, 'temporal.sqlite.pid'),
      postgres: path.join(dir, 'postgres', 'postmaster.pid'),
    },
    sql,
    databaseUrl: pg.url,
    temporalAddress: temporal.address,
    client,
  };
}

/**
 * CPU seconds so far: the dev server, PostgreSQL (all its processes), this process, a `rapport api` process
 * when there is one, and the machine.
 */
export interface Cpu {
  temporal: number;
  postgres: number;
  bench: number;
  api: number;
  machine: number;
}

const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime, stime, cutime, cstime and ppid of a process, from /proc/<pid>/stat (in clock ticks). */
async function procStat(pid: number) {
  const text = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const n = (i: number) => Number(fields[i - 3] ?? 0);
  return { ppid: n(4), own: n(14) + n(15), children: n(16) + n(17) };
}

async function pidFrom(file: string): Promise<number> {
  return Number((await fs.readFile(file, 'utf8')).split('\n')[0]);
}

export async function readCpu(services: Pick<Services, 'pidFiles'>, apiPid?: number): Promise<Cpu> {
  const temporal = await procStat(await pidFrom(services.pidFiles.temporal));
  // The postmaster, its live backends, and those that ended (counted in the postmaster's children time).
  const postmaster = await pidFrom(services.pidFiles.postgres);
  const main = await procStat(postmaster);
  let postgres = main.own + main.children;
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await procStat(Number(entry));
    if (stat.ppid === postmaster) postgres += stat.own;
  }
  const usage = process.cpuUsage();
  const [cpuLine] = (await fs.readFile('/proc/stat', 'utf8')).split('\n');
  const ticks = cpuLine!.trim().split(/\s+/).slice(1).map(Number);
  const busy = ticks.reduce((a, b) => a + b, 0) - ticks[3]! - ticks[4]!; // minus idle and iowait
  return {
    temporal: temporal.own / TICKS,
    postgres: postgres / TICKS,
    bench: (usage.user + usage.system) / 1e6,
    api: apiPid === undefined ? 0 : (await procStat(apiPid)).own / TICKS,
    machine: busy / TICKS,
  };
}

export const cpuSince = (before: Cpu, after: Cpu): Cpu => ({
  temporal: after.temporal - before.temporal,
  postgres: after.postgres - before.postgres,
  bench: after.bench - before.bench,
  api: after.api - before.api,
  machine: after.machine - before.machine,
});

/** Starts (or signals) a candidate's workflow with one event, as the API's delivery queue does. */
export function startCandidateWorkflow(client: Client, taskQueue: string, candidateId: string, type: string) {
  const event: CandidateEvent = {
    id: randomUUID(),
    type,
    source: 'bench',
    occurred_at: new Date().toISOString(),
    data: {},
  };
  return client.workflow.signalWithStart<CandidateWorkflow, [CandidateEvent]>(CANDIDATE_WORKFLOW, {
    workflowId: candidateWorkflowId(candidateId),
    taskQueue,
    args: [{ candidateId }],
    signal: eventSignal,
    signalArgs: [event],
  });
}
