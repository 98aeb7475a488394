// The `rapport` command line: up | api | worker | migrate | validate | simulate | graph | playbooks |
// sources | keys | temporal-cli | help.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, redact, type Config } from '../config/index.js';
import { findTemporalBinary, TemporalBinaryError } from '../embedded/temporal-binary.js';
import { createLogger, type Logger } from '../log.js';
import { PlaybookErrors } from '../playbook/load.js';
import { graphCommand, simulateCommand, UsageError, validateCommand } from './pipelines.js';
import { describePublish, publishPipelines, PublishRefused } from './publish.js';
import { describeMigration, migrateJourneys } from './migrate-journeys.js';
import { connectClient } from '../temporal/connect.js';
import { createSql, type Sql } from '../db/client.js';
import { keysCommand, localAccess } from './keys.js';
import { describeReplay, parseSince, replaySource } from './sources.js';
import { loadSources } from '../playbook/sources.js';
import { loadPolicy } from '../playbook/policy.js';
import { PoolNameTaken } from '../db/pools.js';
import { campaignsCommand } from './campaigns.js';
import { recruitingEventsCommand } from './recruiting-events.js';
import { runMigrations, startApi, startEmbedded, startWorker, type Stoppable } from '../runtime/processes.js';

const HELP = `rapport — candidate relationship management on Temporal

Usage: rapport <command>

Commands:
  up             everything in one process: embedded PostgreSQL and Temporal dev server (unless
                 DATABASE_URL / TEMPORAL_ADDRESS are set), migrations, worker and API
  api            the HTTP API alone (needs DATABASE_URL and TEMPORAL_ADDRESS)
  worker         the Temporal worker alone (needs DATABASE_URL and TEMPORAL_ADDRESS)
  migrate        apply pending database migrations (needs DATABASE_URL)
  validate [paths…] [--json]
                 check playbooks and templates (default: the pipelines directory); exit 1 on errors
  simulate <playbook.yaml> --candidate <candidate.json> [--events <events.jsonl>]
           [--start <iso>] [--days N] [--json]
                 run a playbook for one candidate on a virtual clock and print the timeline
  graph <playbook.yaml>
                 print the playbook as a Mermaid flowchart
  playbooks publish [--dry-run]
                 store every playbook whose content changed as a new version (needs DATABASE_URL);
                 new enrollments use the latest published version
  playbooks migrate <playbook> --to <version> [--dry-run]
                 move running journeys to another published version, matched by step; prints how
                 many journeys sit at each step, and changes nothing if any step cannot be matched
                 (needs DATABASE_URL and TEMPORAL_ADDRESS)
  sources replay <source> [--since <iso|7d|12h>]
                 take again, with the source's mapping as it is now, the webhook payloads kept
                 because no rule mapped them or their enrichment failed (kept 30 days)
                 (needs DATABASE_URL and TEMPORAL_ADDRESS)
  campaigns launch --name <name> --playbook <id> --pool <name|id> [--rate <per minute>]
            [--start <iso>] [--class <contact class>] [--no-follow]
  campaigns status <id> [--no-follow] | campaigns pause|resume|cancel <id>
                 enroll a talent pool into a playbook at a set rate, once each, and follow it with
                 a progress bar; --event <name> invites to a recruiting event
                 (needs DATABASE_URL and TEMPORAL_ADDRESS)
  recruiting-events create --name <name> --title <title> --starts <iso> --timezone <zone>
            (--location <place> | --url <url>) [--ends <iso>] [--capacity <n>] [--kind <kind>]
  recruiting-events list | status <name> | check-in <name> (--csv <file> | <email|id> ...)
            | close <name>
                 meetups, webinars and career fairs: seats and waitlist, check-in at the door,
                 attendance decided at close (needs DATABASE_URL and TEMPORAL_ADDRESS)
  keys create --name <name> --scopes <scope,…|*> | keys list | keys revoke <prefix>
                 API keys for /v1 (needs DATABASE_URL); a new key is shown once
  temporal-cli   find or obtain the Temporal CLI used by \`up\`, and print its path
  help           this text

Configuration comes from environment variables; see README.md.`;

export async function main(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: false });
  const command = positionals[0] ?? 'help';
  if (command === 'help' || command === '--help') {
    console.log(HELP);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`rapport: invalid configuration: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  try {
    switch (command) {
      case 'up':
        return await up(config, log);
      case 'api':
        return await serveUntilSignal(log, await startApi(config, log, requireEndpoints(config)));
      case 'worker':
        return await serveUntilSignal(log, await startWorker(config, log, requireEndpoints(config)));
      case 'migrate':
        await runMigrations(requireEndpoints(config, ['DATABASE_URL']).databaseUrl, log);
        return 0;
      case 'validate':
        return await validateCommand(argv.slice(1), config.pipelinesDir, (line) => console.log(line));
      case 'simulate':
        return await simulateCommand(argv.slice(1), (line) => console.log(line));
      case 'graph':
        return await graphCommand(argv.slice(1), (line) => console.log(line));
      case 'playbooks':
        return await playbooksCommand(argv.slice(1), config);
      case 'sources':
        return await sourcesCommand(argv.slice(1), config, log);
      case 'campaigns': {
        const { databaseUrl, temporalAddress } = requireEndpoints(config);
        const sql = createSql(databaseUrl, { max: 2 });
        const temporal = await connectClient(temporalAddress, config.temporal.namespace);
        try {
          const deps = {
            sql,
            temporal,
            taskQueue: config.temporal.taskQueue,
            policy: await loadPolicy(config.pipelinesDir),
          };
          return await campaignsCommand(argv.slice(1), deps, {
            line: (text) => console.log(text),
            redraw: process.stdout.isTTY ? (text) => process.stdout.write(`\r\x1b[2K${text}`) : undefined,
          });
        } finally {
          await temporal.connection.close();
          await sql.end();
        }
      }
      case 'recruiting-events': {
        const { databaseUrl, temporalAddress } = requireEndpoints(config);
        const sql = createSql(databaseUrl, { max: 2 });
        const temporal = await connectClient(temporalAddress, config.temporal.namespace);
        try {
          const deps = { sql, temporal, taskQueue: config.temporal.taskQueue, log };
          return await recruitingEventsCommand(argv.slice(1), deps, (line) => console.log(line));
        } finally {
          await temporal.connection.close();
          await sql.end();
        }
      }
      case 'keys': {
        const sql = createSql(requireEndpoints(config, ['DATABASE_URL']).databaseUrl, { max: 1 });
        try {
          return await keysCommand(argv.slice(1), sql, (line) => console.log(line));
        } finally {
          await sql.end();
        }
      }
      case 'temporal-cli': {
        const binary = await findTemporalBinary({
          cliPath: config.temporal.cliPath,
          cacheDir: config.cacheDir,
          onProgress: (message) => console.error(message),
        });
        console.log(binary.path);
        return 0;
      }
      default:
        console.error(`rapport: unknown command "${command}"\n\n${HELP}`);
        return 2;
    }
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof TemporalBinaryError ||
      error instanceof PlaybookErrors ||
      error instanceof PublishRefused ||
      error instanceof PoolNameTaken
    ) {
      console.error(`rapport: ${error.message}`);
      return 1;
    }
    log.fatal({ err: error }, 'rapport stopped');
    return 1;
  }
}

function requireEndpoints(config: Config, names = ['DATABASE_URL', 'TEMPORAL_ADDRESS']) {
  const missing = names.filter((n) =>
    n === 'DATABASE_URL' ? !config.databaseUrl : !config.temporal.address,
  );
  if (missing.length) {
    throw new UsageError(
      `${missing.join(' and ')} must be set (this command never starts embedded services; use \`rapport up\` for that).`,
    );
  }
  return { databaseUrl: config.databaseUrl ?? '', temporalAddress: config.temporal.address ?? '' };
}

async function up(config: Config, log: Logger): Promise<number> {
  const started = Date.now();
  const parts: Stoppable[] = [];
  const stop = async () => {
    for (const part of parts.reverse())
      await part.stop().catch((err: unknown) => log.warn({ err }, 'stop failed'));
  };
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const embedded = await startEmbedded(config, log);
    parts.push(embedded);
    await runMigrations(embedded.databaseUrl, log);
    await publishAtStart(config, log, embedded.databaseUrl);
    const { key, signInToken } = await withSql(embedded.databaseUrl, localAccess);
    parts.push(await startWorker(config, log, embedded));
    const api = await startApi(config, log, embedded);
    parts.push(api);
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    if (interrupted) throw new UsageError('interrupted during start');
    const lines = [
      `Rapport is up (${((Date.now() - started) / 1000).toFixed(1)}s)`,
      signInToken
        ? `  Console      ${api.url}/sign-in/link/${signInToken}   (a one-time sign-in link, for a day)`
        : `  Console      ${api.url}/   (sign in with an rk_… key)`,
      `  API          ${api.url}   (health: ${api.url}/readyz)`,
      `  Temporal     ${embedded.temporalAddress}${embedded.temporalUiUrl ? `   (web UI: ${embedded.temporalUiUrl})` : ''}`,
      `  PostgreSQL   ${redact(embedded.databaseUrl)}`,
      `  Email        ${config.smtpUrl ? redact(config.smtpUrl) : 'not delivered: recorded in the outbox (set SMTP_URL to deliver)'}`,
      `  Data         ${config.dataDir}`,
      ...(key
        ? [`  API key      ${key}   (all scopes; shown only now — \`rapport keys\` manages keys)`]
        : []),
      'Press Ctrl-C to stop.',
    ];
    console.log(lines.join('\n'));
  } catch (error) {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await stop();
    throw error;
  }
  return serveUntilSignal(log, { stop });
}

/** Waits for SIGINT or SIGTERM, then stops in order; a second signal exits at once. */
async function serveUntilSignal(log: Logger, running: Stoppable): Promise<number> {
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve).once('SIGTERM', resolve);
  });
  log.info({ signal }, 'stopping');
  const force = () => {
    log.warn('second signal: exiting now');
    process.exit(130);
  };
  process.once('SIGINT', force).once('SIGTERM', force);
  await running.stop();
  log.info('stopped');
  return 0;
}

async function playbooksCommand(args: string[], config: Config): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'dry-run': { type: 'boolean' }, to: { type: 'string' } },
  });
  const dryRun = values['dry-run'] ?? false;
  if (positionals[0] === 'migrate') return migrateCommand(positionals[1], values.to, dryRun, config);
  if (positionals[0] !== 'publish')
    throw new UsageError(
      'usage: rapport playbooks publish [--dry-run] | rapport playbooks migrate <playbook> --to <version> [--dry-run]',
    );
  const { databaseUrl } = requireEndpoints(config, ['DATABASE_URL']);
  const sql = createSql(databaseUrl, { max: 1 });
  try {
    const result = await publishPipelines(sql, config.pipelinesDir, { dryRun });
    for (const line of describePublish(result, dryRun)) console.log(line);
    return 0;
  } finally {
    await sql.end();
  }
}

async function sourcesCommand(args: string[], config: Config, log: Logger): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { since: { type: 'string' } },
  });
  const usage = 'usage: rapport sources replay <source> [--since <iso|7d|12h>]';
  if (positionals[0] !== 'replay' || !positionals[1]) throw new UsageError(usage);
  const since = parseSince(values.since);
  const sources = await loadSources(config.pipelinesDir);
  const mapping = sources.get(positionals[1]);
  if (!mapping)
    throw new UsageError(
      `no source ${positionals[1]} in ${config.pipelinesDir}/sources (there are: ${[...sources.keys()].join(', ')})`,
    );
  const { databaseUrl, temporalAddress } = requireEndpoints(config);
  const sql = createSql(databaseUrl, { max: 2 });
  const temporal = await connectClient(temporalAddress, config.temporal.namespace);
  try {
    const tally = await replaySource(
      { sql, temporal, taskQueue: config.temporal.taskQueue, log },
      mapping,
      since,
    );
    for (const line of describeReplay(mapping.source, since, tally)) console.log(line);
    return 0;
  } finally {
    await temporal.connection.close();
    await sql.end();
  }
}

async function migrateCommand(
  playbook: string | undefined,
  toText: string | undefined,
  dryRun: boolean,
  config: Config,
): Promise<number> {
  const to = Number(toText);
  if (!playbook || !Number.isInteger(to) || to < 1)
    throw new UsageError('usage: rapport playbooks migrate <playbook> --to <version> [--dry-run]');
  const { databaseUrl, temporalAddress } = requireEndpoints(config);
  const sql = createSql(databaseUrl, { max: 2 });
  const temporal = await connectClient(temporalAddress, config.temporal.namespace);
  try {
    const options = { playbook, to, dryRun };
    const outcome = await migrateJourneys(sql, temporal, options);
    for (const line of describeMigration(outcome, options)) console.log(line);
    return outcome.failed.length || outcome.plan.some((l) => l.refused) ? 1 : 0;
  } finally {
    await temporal.connection.close();
    await sql.end();
  }
}

async function withSql<T>(databaseUrl: string, run: (sql: Sql) => Promise<T>): Promise<T> {
  const sql = createSql(databaseUrl, { max: 1 });
  try {
    return await run(sql);
  } finally {
    await sql.end();
  }
}

/** `rapport up` publishes the pipelines it runs, so that editing a playbook and restarting takes effect. */
async function publishAtStart(config: Config, log: Logger, databaseUrl: string): Promise<void> {
  const sql = createSql(databaseUrl, { max: 1 });
  try {
    const result = await publishPipelines(sql, config.pipelinesDir);
    log.info({ published: result.published, unchanged: result.unchanged.length }, 'playbooks published');
  } finally {
    await sql.end();
  }
}
