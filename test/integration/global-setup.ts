// Starts the real pieces once for all integration tests: the Temporal dev server (the binary found or
// obtained by the same code as `rapport up`) and embedded PostgreSQL, each in a temporary directory.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/config/index.js';
import { startEmbeddedPostgres } from '../../src/embedded/postgres.js';
import { findTemporalBinary } from '../../src/embedded/temporal-binary.js';
import { startTemporalDevServer } from '../../src/embedded/temporal-server.js';
import { freePort } from '../helpers/ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalBinary: string;
    postgresAdminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const config = loadConfig();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rapport-test-'));
  await fs.chmod(dir, 0o755);
  const binary = await findTemporalBinary({
    cliPath: config.temporal.cliPath,
    cacheDir: config.cacheDir,
    onProgress: (message) => console.log(message),
  });
  const [temporal, pg] = await Promise.all([
    (async () =>
      startTemporalDevServer({
        binary: binary.path,
        dbFile: path.join(dir, 'temporal.sqlite'),
        port: await freePort(),
        namespace: 'default',
      }))(),
    (async () =>
      startEmbeddedPostgres({
        dataDir: path.join(dir, 'postgres'),
        port: await freePort(),
        database: 'postgres',
      }))(),
  ]);
  project.provide('temporalAddress', temporal.address);
  project.provide('temporalBinary', binary.path);
  project.provide('postgresAdminUrl', pg.url);
  return async () => {
    await temporal.stop();
    await pg.stop();
    await fs.rm(dir, { recursive: true, force: true });
  };
}
