// Worker start time, the two ways a worker starts: `rapport worker` from the TypeScript sources (tsx,
// workflows bundled with webpack at start) and from the production build (`npm run build`: compiled
// JavaScript and the prebuilt workflow bundle). Each run is a fresh process against the same Temporal dev
// server and PostgreSQL, timed from spawn to its "worker running" log line; the build is made first.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { cleanEnv, RAPPORT_BIN } from '../helpers/cli.js';
import { fmt, positiveInt, startServices, withCleanups } from './services.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function timeToRunning(env: NodeJS.ProcessEnv, bundlesAtStart: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [RAPPORT_BIN, 'worker'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the worker did not start within 120 s:\n${output}`));
    }, 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes('worker running')) return;
      const ms = performance.now() - started;
      clearTimeout(timer);
      // The two ways differ in where the workflows come from: check it is the way measured.
      if (output.includes('"workflows":"bundled at start"') !== bundlesAtStart) {
        child.kill('SIGKILL');
        reject(
          new Error(`expected the worker ${bundlesAtStart ? '' : 'not '}to bundle at start:\n${output}`),
        );
        return;
      }
      child.once('exit', () => resolve(ms));
      child.kill('SIGTERM');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      if (!output.includes('worker running')) {
        clearTimeout(timer);
        reject(new Error(`the worker exited (${code}) before it ran:\n${output}`));
      }
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchWorkerStart(): Promise<string[]> {
  const runs = positiveInt('BENCH_WORKER_RUNS', 5);
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
  return withCleanups('worker start', async (onCleanup) => {
    const services = await startServices(onCleanup, (message) => console.log(`  ${message}`));
    const env = (production: boolean) =>
      cleanEnv({
        DATABASE_URL: services.databaseUrl,
        TEMPORAL_ADDRESS: services.temporalAddress,
        RAPPORT_TASK_QUEUE: `bench-worker-start-${production ? 'built' : 'source'}`,
        LOG_LEVEL: 'info',
        NODE_ENV: production ? 'production' : 'development',
      });
    const source: number[] = [];
    const built: number[] = [];
    // Alternated, so that a slow moment of the machine falls on both.
    for (let i = 0; i < runs; i++) {
      source.push(await timeToRunning(env(false), true));
      built.push(await timeToRunning(env(true), false));
    }
    const [s, b] = [median(source), median(built)];
    return [
      `worker start, spawn to "worker running", median of ${runs} runs each:`,
      `  from source (tsx, workflows bundled at start): ${fmt(s)} ms  (runs: ${source.map((x) => fmt(x)).join(', ')})`,
      `  production build (compiled, prebuilt bundle):  ${fmt(b)} ms  (runs: ${built.map((x) => fmt(x)).join(', ')})`,
      `  ratio build/source: ${fmt(b / s, 2)}`,
    ];
  });
}
