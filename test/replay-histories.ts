// `npm test` step: replays the recorded workflow histories in test/fixtures/histories/ (real runs of the
// candidate workflow) against the current workflow code, so a change that would break running workflows
// fails the build. Record new ones from real runs with `client.workflow.getHandle(id).fetchHistory()`.
import fs from 'node:fs/promises';
import path from 'node:path';
import proto from '@temporalio/proto';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { createLogger } from '../src/log.js';
import { installTemporalLogging } from '../src/temporal/connect.js';
import { WORKFLOWS_SOURCE } from '../src/paths.js';
import { quietBundlerLogger } from './helpers/bundler.js';

installTemporalLogging(createLogger('warn'));

const DIR = path.resolve(import.meta.dirname, 'fixtures/histories');
const files = (await fs.readdir(DIR)).filter((f) => f.endsWith('.json')).sort();
const histories = await Promise.all(
  files.map(async (f) => ({
    workflowId: f.replace(/\.json$/, ''),
    // Protobuf JSON as the client's fetchHistory() gives it, read back with the SDK's own proto classes.
    history: proto.temporal.api.history.v1.History.fromObject(
      JSON.parse(await fs.readFile(path.join(DIR, f), 'utf8')) as object,
    ),
  })),
);
const workflowBundle = await bundleWorkflowCode({
  workflowsPath: WORKFLOWS_SOURCE,
  logger: quietBundlerLogger,
});
let failed = 0;
for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
  if (result.error) {
    failed += 1;
    console.error(`replay ${result.workflowId}: ${result.error.message}`);
  } else {
    console.log(`replay ${result.workflowId}: ok`);
  }
}
console.log(`${files.length - failed} passed, ${failed} failed`);
process.exitCode = failed || !files.length ? 1 : 0;
