// The worker: polls the task queue, runs workflows from workflows/ and activities from src/activities.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { countActivityFailures } from './failure-counter.js';

export const WORKFLOWS_PATH = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../workflows/index.ts',
);

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
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(options.deps),
    interceptors: { activity: [countActivityFailures(options.deps.sql)] },
    ...(options.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: options.maxCachedWorkflows }),
  });
}
