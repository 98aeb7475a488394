// Entry point of `npm run bench`: every benchmark, each side by side with its baseline, in one run.
// BENCH_ONLY=<part,…> (playbooks, journeys, api, worker, console, campaigns) runs only those parts. Each part runs in a fresh process
// of its own, so that none inherits another's heap, JIT state or open connections.
import { spawnSync } from 'node:child_process';
import os from 'node:os';

const parts: [heading: string, name: string, run: () => Promise<string[]>][] = [
  ['Playbooks', 'playbooks', async () => (await import('./playbooks.js')).benchPlaybooks()],
  ['Journeys', 'journeys', async () => (await import('./journeys.js')).benchJourneys()],
  ['API', 'api', async () => (await import('./api.js')).benchApi()],
  ['Worker start', 'worker', async () => (await import('./worker-start.js')).benchWorkerStart()],
  ['Console', 'console', async () => (await import('./console.js')).benchConsole()],
  ['Campaigns and pools', 'campaigns', async () => (await import('./campaigns.js')).benchCampaigns()],
];

const part = process.env.BENCH_PART;
if (part) {
  // A child: run the one part and print its lines.
  const [heading, , run] = parts.find((p) => p[1] === part)!;
  console.log(`\n## ${heading}`);
  for (const line of await run()) console.log(line);
} else {
  const only = process.env.BENCH_ONLY?.split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const unknown = only?.filter((name) => !parts.some((p) => p[1] === name));
  if (unknown?.length)
    throw new Error(
      `BENCH_ONLY: unknown part ${unknown.join(', ')} (parts: ${parts.map((p) => p[1]).join(', ')})`,
    );
  console.log(
    `Rapport benchmarks — Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`,
  );
  for (const [, name] of parts) {
    if (only?.length && !only.includes(name)) continue;
    const child = spawnSync(process.execPath, [...process.execArgv, import.meta.filename], {
      stdio: 'inherit',
      env: { ...process.env, BENCH_PART: name },
    });
    if (child.status !== 0) process.exit(child.status ?? 1);
  }
}
