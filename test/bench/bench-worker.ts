// An in-process worker for the benchmarks, built as `rapport worker` builds its own (createServices):
// the activities with their own database client, the workflows bundled from source, the SDK's default
// worker settings. Its cleanups stop it and close its connections.
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../src/activities/index.js';
import { createSql, type Sql } from '../../src/db/client.js';
import type { Mailer } from '../../src/mail/mailer.js';
import { publishedPlaybooks } from '../../src/runtime/services.js';
import { loadTemplates, type TemplateEngine } from '../../src/templates/engine.js';
import { quietBundlerLogger } from '../helpers/bundler.js';
import type { OnCleanup } from './services.js';

export interface BenchWorkerOptions {
  databaseUrl: string;
  temporalAddress: string;
  client: Client;
  pipelinesDir: string;
  workflowsPath: string;
  /** The queue the activities start and signal workflows on. */
  taskQueue: string;
  /** The queue this worker polls (default: taskQueue). */
  pollQueue?: string;
  mailer?: Mailer;
  /** The activities' database client, when the bench has one for them; else the worker makes its own. */
  sql?: Sql;
  progress: (message: string) => void;
}

export async function startBenchWorker(
  options: BenchWorkerOptions,
  onCleanup: OnCleanup,
): Promise<{ stop: () => Promise<void>; templates: TemplateEngine }> {
  let sql = options.sql;
  if (!sql) {
    const own = createSql(options.databaseUrl);
    onCleanup('the worker database client', () => own.end({ timeout: 5 }));
    sql = own;
  }
  const deps: ActivityDeps = {
    sql,
    templates: await loadTemplates(path.join(options.pipelinesDir, 'templates')),
    mailer: options.mailer,
    sms: undefined,
    playbooks: publishedPlaybooks(sql),
    mailFrom: 'Rapport <rapport@bench.example>',
    org: { name: 'Bench' },
    temporal: { client: options.client, taskQueue: options.taskQueue },
  };
  options.progress('bundling the workflows and starting a worker');
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: options.workflowsPath,
    logger: quietBundlerLogger,
  });
  const connection = await NativeConnection.connect({ address: options.temporalAddress });
  onCleanup('the worker connection', () => connection.close());
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue: options.pollQueue ?? options.taskQueue,
    workflowBundle,
    activities: createActivities(deps),
  });
  const running = worker.run();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  };
  onCleanup('the worker', stop);
  return { stop, templates: deps.templates };
}
