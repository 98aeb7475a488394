// `npm run build`, second half: bundles the workflows ahead of time into dist/workflow-bundle.js (as
// Temporal's production sample does), so a compiled worker starts without webpack.
import fs from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE, WORKFLOWS_SOURCE } from '../paths.js';

const started = performance.now();
const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_SOURCE });
await fs.mkdir(path.dirname(WORKFLOW_BUNDLE), { recursive: true });
await fs.writeFile(WORKFLOW_BUNDLE, code);
console.log(
  `wrote ${path.relative(process.cwd(), WORKFLOW_BUNDLE)} (${Math.round(code.length / 1024)} KiB) in ${Math.round(performance.now() - started)} ms`,
);
