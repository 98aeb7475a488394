// Entry point of `npm run bench`: every benchmark, each side by side with its baseline, in one run.
// BENCH_ONLY=<part,…> (playbooks, journeys, api) runs only those parts.
import os from 'node:os';
import { benchApi } from './api.js';
import { benchJourneys } from './journeys.js';
import { benchPlaybooks } from './playbooks.js';

const parts: [heading: string, name: string, run: () => Promise<string[]>][] = [
  ['Playbooks', 'playbooks', benchPlaybooks],
  ['Journeys', 'journeys', benchJourneys],
  ['API', 'api', benchApi],
];
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
for (const [heading, name, run] of parts) {
  if (only?.length && !only.includes(name)) continue;
  console.log(`\n## ${heading}`);
  for (const line of await run()) console.log(line);
}
