// Entry point of `npm run bench`: every benchmark, each side by side with its baseline, in one run.
import os from 'node:os';
import { benchJourneys } from './journeys.js';
import { benchPlaybooks } from './playbooks.js';

console.log(
  `Rapport benchmarks — Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`,
);
console.log('\n## Playbooks');
for (const line of await benchPlaybooks()) console.log(line);
console.log('\n## Journeys');
for (const line of await benchJourneys()) console.log(line);
