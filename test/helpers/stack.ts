// Wires the real application for a test file: a fresh database, a real SMTP server, a worker on its own
// task queue of the shared Temporal dev server, and the Hono app (called with app.request).
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  NativeConnection,
  type Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { inject } from 'vitest';
import { createActivities, type ActivityDeps } from '../../src/activities/index.js';
import { createApp } from '../../src/http/app.js';
import { createEventDelivery, type EventDelivery } from '../../src/intake/event-delivery.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createLogger } from '../../src/log.js';
import { installTemporalLogging } from '../../src/temporal/connect.js';
import { createMailer } from '../../src/mail/mailer.js';
import { publishPipelines } from '../../src/cli/publish.js';
import { loadSources } from '../../src/playbook/sources.js';
import { loadPolicy } from '../../src/playbook/policy.js';
import { loadOrg } from '../../src/playbook/org.js';
import { loadLinkSigner } from '../../src/links/tokens.js';
import { publishedPlaybooks } from '../../src/runtime/services.js';
import { loadTemplates } from '../../src/templates/engine.js';
import { WORKFLOWS_SOURCE } from '../../src/paths.js';
import { createWorker } from '../../src/worker/index.js';
import { adminKey, withKey, type TestApp } from './api.js';
import { quietBundlerLogger } from './bundler.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startSmtp, type TestSmtp } from './smtp.js';

export const PIPELINES_DIR = path.resolve(import.meta.dirname, '../../pipelines');
/** What the test inbound-mail provider presents on /inbound/email (RAPPORT_INBOUND_EMAIL_SECRET). */
export const INBOUND_EMAIL_SECRET = 'inbound-test-secret';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_SOURCE, logger: quietBundlerLogger });
  return bundle;
}

export interface Stack {
  db: TestDatabase;
  smtp: TestSmtp;
  deps: ActivityDeps;
  activities: ReturnType<typeof createActivities>;
  client: Client;
  /** The API called with a key that has every scope. */
  app: TestApp;
  /** The API as is, for tests about keys. */
  rawApp: ReturnType<typeof createApp>;
  taskQueue: string;
  /** The queue that takes the app's accepted events to their workflows. */
  delivery: EventDelivery;
  stop(): Promise<void>;
}

export async function startStack(
  pipelinesDir = PIPELINES_DIR,
  options: { temporalAddress?: string } = {},
): Promise<Stack> {
  const db = await createTestDatabase();
  const smtp = await startSmtp();
  await publishPipelines(db.sql, pipelinesDir);
  const address = options.temporalAddress ?? inject('temporalAddress');
  const taskQueue = `test-${randomBytes(4).toString('hex')}`;
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  const deps: ActivityDeps = {
    sql: db.sql,
    templates: await loadTemplates(path.join(pipelinesDir, 'templates')),
    mailer: createMailer(smtp.url),
    sms: undefined,
    links: { publicUrl: 'http://rapport.test', signer: await loadLinkSigner(db.sql) },
    playbooks: publishedPlaybooks(db.sql, 0),
    policy: await loadPolicy(pipelinesDir),
    mailFrom: 'Rapport <rapport@test.example>',
    org: await loadOrg(pipelinesDir, 'Acme'),
    temporal: { client, taskQueue },
  };
  // The SDK's own logs go through pino at warn, as in production, instead of every state change on stdout.
  installTemporalLogging(createLogger('warn'));
  const nativeConnection = await NativeConnection.connect({ address });
  const worker: Worker = await createWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    deps,
    workflowBundle: await workflowBundle(),
  });
  const running = worker.run();
  const log = createLogger(process.env.TEST_API_LOG === 'error' ? 'error' : 'silent');
  const metrics = createMetrics(db.sql);
  const delivery = createEventDelivery({
    sql: db.sql,
    temporal: client,
    taskQueue,
    log,
    registry: metrics.registry,
  });
  const rawApp = createApp({
    sql: db.sql,
    temporal: client,
    taskQueue,
    log,
    metrics,
    delivery,
    sources: await loadSources(pipelinesDir),
    links: deps.links!.signer,
    templates: deps.templates,
    org: deps.org,
    policy: deps.policy,
    inboundEmailSecret: INBOUND_EMAIL_SECRET,
    strictResponses: true,
    // Tests revoke keys and expect the next request to see it.
    keyCacheMs: 0,
  });
  const app = withKey(rawApp, await adminKey(db.sql));
  return {
    db,
    smtp,
    deps,
    activities: createActivities(deps),
    client,
    app,
    rawApp,
    taskQueue,
    delivery,
    async stop() {
      await delivery.stop(5000);
      worker.shutdown();
      await running;
      await connection.close();
      await nativeConnection.close();
      deps.mailer?.close();
      await smtp.close();
      await db.drop();
    },
  };
}

/** Polls until `probe` returns a value (not undefined), or fails after the timeout. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
