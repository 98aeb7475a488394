// The processes Rapport runs: the embedded pieces (PostgreSQL, Temporal dev server), the worker and
// the API. `rapport up` runs them all in one process; `api` and `worker` run one each.
import path from 'node:path';
import { createApp } from '../http/app.js';
import { listen } from '../http/listen.js';
import { createEventDelivery } from '../intake/event-delivery.js';
import { startEventSweep } from '../intake/event-sweep.js';
import { startRecruitingEventSweep } from '../recruiting-events/event-sweep.js';
import { startEnrichmentSweep } from '../sources/enrichment-sweep.js';
import { createMetrics } from '../http/metrics.js';
import { loadSources } from '../playbook/sources.js';
import { loadLinkSigner } from '../links/tokens.js';
import { loadTemplates } from '../templates/engine.js';
import { loadPolicy } from '../playbook/policy.js';
import { loadOrg } from '../playbook/org.js';
import type { Config } from '../config/index.js';
import { createSql } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { startEmbeddedPostgres } from '../embedded/postgres.js';
import { findTemporalBinary } from '../embedded/temporal-binary.js';
import { startTemporalDevServer } from '../embedded/temporal-server.js';
import type { Logger } from '../log.js';
import { connectClient, connectWorker, installTemporalLogging } from '../temporal/connect.js';
import { createWorker, workflowSource } from '../worker/index.js';
import { createServices } from './services.js';

export interface Stoppable {
  stop(): Promise<void>;
}

export interface Endpoints {
  databaseUrl: string;
  temporalAddress: string;
  temporalUiUrl?: string | undefined;
}

/** Starts embedded PostgreSQL and the Temporal dev server for whatever the config leaves unset. */
export async function startEmbedded(config: Config, log: Logger): Promise<Endpoints & Stoppable> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((err: unknown) => log.warn({ err }, 'stop failed'));
  };
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      log.info({ dataDir: config.dataDir, port: config.postgresPort }, 'starting embedded PostgreSQL');
      const pg = await startEmbeddedPostgres({
        dataDir: path.join(config.dataDir, 'postgres'),
        port: config.postgresPort,
        onLog: (line) => log.debug({ component: 'postgres' }, line),
      });
      stops.push(() => pg.stop());
      databaseUrl = pg.url;
    }
    let temporalAddress = config.temporal.address;
    let temporalUiUrl: string | undefined;
    if (!temporalAddress) {
      const binary = await findTemporalBinary({
        cliPath: config.temporal.cliPath,
        cacheDir: config.cacheDir,
        onProgress: (message) => log.info(message),
      });
      log.info({ binary: binary.path, from: binary.source }, 'starting the Temporal dev server');
      const server = await startTemporalDevServer({
        binary: binary.path,
        dbFile: path.join(config.dataDir, 'temporal.sqlite'),
        port: config.temporal.embeddedPort,
        uiPort: config.temporal.embeddedUiPort,
        namespace: config.temporal.namespace,
        onLog: (line) => log.debug({ component: 'temporal-server' }, line),
      });
      stops.push(() => server.stop());
      temporalAddress = server.address;
      temporalUiUrl = server.uiUrl;
    }
    return { databaseUrl, temporalAddress, temporalUiUrl, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

export async function runMigrations(databaseUrl: string, log: Logger): Promise<void> {
  const sql = createSql(databaseUrl, { max: 1 });
  try {
    const applied = await migrate(sql);
    log.info({ applied }, applied.length ? 'applied migrations' : 'database schema is up to date');
  } finally {
    await sql.end();
  }
}

export async function startWorker(config: Config, log: Logger, endpoints: Endpoints): Promise<Stoppable> {
  installTemporalLogging(log);
  const client = await connectClient(endpoints.temporalAddress, config.temporal.namespace);
  const services = await createServices(config, endpoints.databaseUrl, {
    client,
    taskQueue: config.temporal.taskQueue,
  });
  const connection = await connectWorker(endpoints.temporalAddress);
  const worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    deps: { ...services.activityDeps, log: log.child({ component: 'worker' }) },
    maxCachedWorkflows: config.temporal.workflowCacheSize,
  });
  const running = worker.run();
  running.catch((err: unknown) => log.error({ err }, 'worker stopped with an error'));
  log.info(
    {
      taskQueue: config.temporal.taskQueue,
      smtp: services.mailer ? 'on' : 'off (outbox only)',
      workflows: 'workflowBundle' in workflowSource() ? 'prebuilt bundle' : 'bundled at start',
    },
    'worker running',
  );
  return {
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => {});
      await connection.close();
      await client.connection.close();
      await services.close();
    },
  };
}

export async function startApi(
  config: Config,
  log: Logger,
  endpoints: Endpoints,
): Promise<Stoppable & { url: string }> {
  const sql = createSql(endpoints.databaseUrl);
  const temporal = await connectClient(endpoints.temporalAddress, config.temporal.namespace);
  const apiLog = log.child({ component: 'api' });
  const metrics = createMetrics(sql);
  const taskQueue = config.temporal.taskQueue;
  const delivery = createEventDelivery({
    sql,
    temporal,
    taskQueue,
    log: apiLog.child({ part: 'delivery' }),
    registry: metrics.registry,
  });
  const app = createApp({
    sql,
    temporal,
    taskQueue,
    log: apiLog,
    metrics,
    delivery,
    sources: await loadSources(config.pipelinesDir),
    links: await loadLinkSigner(sql),
    publicUrl: config.http.publicUrl,
    templates: await loadTemplates(path.join(config.pipelinesDir, 'templates')),
    org: await loadOrg(config.pipelinesDir, config.orgName),
    policy: await loadPolicy(config.pipelinesDir),
    rateLimit: config.http.rateLimit,
    inboundEmailSecret: config.http.inboundEmailSecret,
  });
  const server = await listen(app.fetch, config.http.port, config.http.host);
  const sweep = startEventSweep({ sql, delivery, log: apiLog });
  const enrichmentSweep = startEnrichmentSweep({ sql, temporal, taskQueue, delivery, log: apiLog });
  const recruitingSweep = startRecruitingEventSweep({ sql, temporal, delivery, log: apiLog });
  const url = `http://${config.http.host}:${config.http.port}`;
  log.info({ url }, 'API listening');
  return {
    url,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Accepted events still on their way get a few seconds; the next start's sweep delivers the rest.
      await Promise.all([sweep.stop(), enrichmentSweep.stop(), recruitingSweep.stop(), delivery.stop(5000)]);
      await temporal.connection.close();
      await sql.end({ timeout: 5 });
    },
  };
}
