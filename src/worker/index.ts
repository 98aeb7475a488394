// The worker: polls the task queue, runs workflows from workflows/ and activities from src/activities.
// Compiled (`npm run build`), it loads the workflow bundle the build wrote; from source it bundles the
// workflows at start.
import fs from 'node:fs';
import { Worker, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { COMPILED, WORKFLOW_BUNDLE, WORKFLOWS_SOURCE } from '../paths.js';
import { countActivityFailures } from './failure-counter.js';

/** The workflows as the worker loads them: the given bundle, the build's, or the sources to bundle now. */
export function workflowSource(
  given?: WorkflowBundleWithSourceMap,
): { workflowBundle: WorkflowBundleWithSourceMap | { codePath: string } } | { workflowsPath: string } {
  if (given) return { workflowBundle: given };
  if (COMPILED && fs.existsSync(WORKFLOW_BUNDLE)) return { workflowBundle: { codePath: WORKFLOW_BUNDLE } };
  return { workflowsPath: WORKFLOWS_SOURCE };
}

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** Workflows kept in memory between tasks (RAPPORT_WORKFLOW_CACHE_SIZE); the SDK's default otherwise. */
  maxCachedWorkflows?: number;
  /** A prebuilt bundle (tests build it once); otherwise workflows are bundled at start. */
  workflowBundle?: WorkflowBundleWithSourceMap;
}

export async function createWorker(options: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...workflowSource(options.workflowBundle),
    activities: createActivities(options.deps),
    interceptors: { activity: [countActivityFailures(options.deps.sql)] },
    ...(options.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: options.maxCachedWorkflows }),
  });
}
