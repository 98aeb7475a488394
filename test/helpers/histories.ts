// Keeps real workflow histories for the replay check (test/replay-histories.ts): with RECORD_HISTORIES=1,
// a test that passes writes the histories it names to test/fixtures/histories/. Recorded once, committed,
// then replayed on every `npm test` so that a workflow change that would break running workflows fails.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import prettier from 'prettier';

const DIR = path.resolve(import.meta.dirname, '../fixtures/histories');

export async function keepHistory(client: Client, name: string, workflowId: string, runId?: string) {
  if (!process.env.RECORD_HISTORIES) return;
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const file = path.join(DIR, `${name}.json`);
  // Formatted as the repository's Prettier settings say, so that `npm test` finds nothing to change.
  const options = (await prettier.resolveConfig(file)) ?? {};
  await fs.writeFile(file, await prettier.format(JSON.stringify(history), { ...options, filepath: file }));
}
