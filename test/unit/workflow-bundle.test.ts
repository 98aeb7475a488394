// The determinism boundary, checked on what the workflow bundle really contains: every module webpack
// pulls in from workflows/index.ts, transitively. Workflow code may reach the pure interpreter, the
// Liquid expressions and a short list of reviewed packages — never I/O, clocks or the database.
import { bundleWorkflowCode } from '@temporalio/worker';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKFLOWS_SOURCE } from '../../src/paths.js';
import * as workflows from '../../workflows/index.js';
import {
  CAMPAIGN_WORKFLOW,
  CANDIDATE_WORKFLOW,
  JOB_WORKFLOW,
  SEND_AGAIN_WORKFLOW,
  SOURCE_PAYLOAD_WORKFLOW,
} from '../../workflows/contract.js';
import { quietBundlerLogger } from '../helpers/bundler.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Project folders workflow code may import from. */
const PROJECT = ['workflows/', 'src/interpreter/', 'src/expressions/'];
/**
 * Packages the bundle may hold, each reviewed: the workflow SDK and what it brings (nexus-rpc, long, ms);
 * liquidjs, used without a file system (the sandbox makes its `now` and `date` deterministic); luxon,
 * for time-zone names and the date filters.
 */
const PACKAGES = [
  '@temporalio/workflow',
  '@temporalio/common',
  'nexus-rpc',
  'long',
  'ms',
  'liquidjs',
  'luxon',
];

/** What in a list of bundled module paths (relative to the project) crosses the boundary. */
function boundaryViolations(modules: readonly string[]): string[] {
  return modules.filter((m) => {
    if (m.startsWith('webpack/') || m.startsWith('ignored|')) return false;
    const pkg = /^node_modules\/((@[^/]+\/)?[^/]+)/.exec(m)?.[1];
    if (pkg) return !PACKAGES.includes(pkg);
    return !PROJECT.some((folder) => m.startsWith(folder));
  });
}

async function bundledModules(): Promise<string[]> {
  const modules: string[] = [];
  await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_SOURCE,
    logger: quietBundlerLogger,
    webpackConfigHook: (config) => {
      (config.plugins ??= []).push({
        apply(compiler) {
          compiler.hooks.done.tap('module-list', (stats) => {
            for (const m of stats.compilation.modules) {
              const resource = (m as { resource?: string }).resource ?? m.identifier();
              modules.push(path.isAbsolute(resource) ? path.relative(ROOT, resource) : resource);
            }
          });
        },
      });
      return config;
    },
  });
  return modules;
}

describe('the workflow bundle', () => {
  it('holds only workflow code, the interpreter, expressions and reviewed packages, transitively', async () => {
    const modules = await bundledModules();
    expect(modules).toContain('src/interpreter/step.ts');
    expect(modules).toContain('workflows/contract.ts');
    expect(boundaryViolations(modules)).toEqual([]);
  }, 60_000);

  it('names what crosses the boundary', () => {
    expect(
      boundaryViolations([
        'src/interpreter/step.ts',
        'src/db/client.ts',
        'src/activities/index.ts',
        'node_modules/postgres/src/index.js',
        'node_modules/@temporalio/client/lib/index.js',
        'node_modules/liquidjs/dist/liquid.node.mjs',
      ]),
    ).toEqual([
      'src/db/client.ts',
      'src/activities/index.ts',
      'node_modules/postgres/src/index.js',
      'node_modules/@temporalio/client/lib/index.js',
    ]);
  });

  it('registers the workflows under the names of the contract', () => {
    expect(Object.keys(workflows).sort()).toEqual(
      [
        CANDIDATE_WORKFLOW,
        JOB_WORKFLOW,
        SOURCE_PAYLOAD_WORKFLOW,
        CAMPAIGN_WORKFLOW,
        SEND_AGAIN_WORKFLOW,
      ].sort(),
    );
  });
});
