// Finds or obtains the `temporal` CLI that runs the embedded dev server. Order: TEMPORAL_CLI_PATH,
// `temporal` on PATH, the project's cache, a download by @temporalio/testing (needs internet), and
// finally a build from the Go module proxy with `go install` (needs Go). Progress is reported through
// `onProgress` because the build takes minutes on a small machine.
import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

export const TEMPORAL_CLI_VERSION = '1.5.1';
const GO_PACKAGE = `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`;

export class TemporalBinaryError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TemporalBinaryError';
  }
}

export interface FindTemporalOptions {
  readonly cliPath: string | undefined;
  readonly cacheDir: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly onProgress?: (message: string) => void;
  /** Skip the SDK download (tests and machines known to be offline). */
  readonly tryDownload?: boolean;
}

export interface TemporalBinary {
  readonly path: string;
  readonly source: 'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'download' | 'go install';
}

/** Where `go install` puts the binary; also the first place looked at in the cache. */
export function cachedBinaryDir(cacheDir: string): string {
  return path.join(cacheDir, `temporal-cli-${TEMPORAL_CLI_VERSION}`);
}

export async function findTemporalBinary(options: FindTemporalOptions): Promise<TemporalBinary> {
  const env = options.env ?? process.env;
  const progress = options.onProgress ?? (() => {});
  if (options.cliPath !== undefined) {
    if (await isExecutable(options.cliPath)) return { path: options.cliPath, source: 'TEMPORAL_CLI_PATH' };
    throw new TemporalBinaryError(
      `TEMPORAL_CLI_PATH: ${options.cliPath} is not an executable file. Point it at a temporal CLI binary or unset it.`,
    );
  }
  const onPath = await findOnPath('temporal', env.PATH ?? '');
  if (onPath) return { path: onPath, source: 'PATH' };

  const binDir = cachedBinaryDir(options.cacheDir);
  const cached = path.join(binDir, 'temporal');
  if (await isExecutable(cached)) return { path: cached, source: 'cache' };
  const downloaded = await findDownloaded(path.join(options.cacheDir, 'temporal-download'));
  if (downloaded) return { path: downloaded, source: 'cache' };

  const failures: string[] = [];
  if (options.tryDownload !== false) {
    progress('Downloading the Temporal CLI with @temporalio/testing…');
    try {
      return { path: await download(path.join(options.cacheDir, 'temporal-download')), source: 'download' };
    } catch (error) {
      failures.push(`download: ${firstLine(error)}`);
      progress('Download failed (no internet?); trying to build it with Go instead.');
    }
  }
  const go = await findOnPath('go', env.PATH ?? '');
  if (go) {
    await goInstall(go, binDir, env, progress);
    if (await isExecutable(cached)) return { path: cached, source: 'go install' };
    failures.push(`go install finished but ${cached} is missing`);
  } else {
    failures.push('go: not found on PATH');
  }
  throw new TemporalBinaryError(
    [
      'No Temporal CLI found, and none could be obtained:',
      ...failures.map((f) => `  - ${f}`),
      'Install one of: the Temporal CLI (https://docs.temporal.io/cli) and set TEMPORAL_CLI_PATH or put it on PATH;',
      `or Go 1.22+ so that Rapport can build it (go install ${GO_PACKAGE});`,
      'or point TEMPORAL_ADDRESS at a running Temporal server.',
    ].join('\n'),
  );
}

async function goInstall(
  go: string,
  binDir: string,
  env: NodeJS.ProcessEnv,
  progress: (message: string) => void,
): Promise<void> {
  await fs.mkdir(binDir, { recursive: true });
  progress(
    `Building the Temporal CLI v${TEMPORAL_CLI_VERSION} with Go into ${binDir} (a few minutes, once)…`,
  );
  const started = Date.now();
  const child = spawn(go, ['install', GO_PACKAGE], {
    env: { ...env, CGO_ENABLED: '0', GOBIN: binDir, GOFLAGS: `${env.GOFLAGS ?? ''} -buildvcs=false`.trim() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let downloads = 0;
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-4000);
    downloads += (text.match(/go: downloading/g) ?? []).length;
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const ticker = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    progress(`  still building the Temporal CLI: ${seconds}s, ${downloads} modules downloaded`);
  }, 15_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) {
      throw new TemporalBinaryError(`go install ${GO_PACKAGE} failed (exit ${code}):\n${output.trim()}`);
    }
  } finally {
    clearInterval(ticker);
  }
  progress(`Built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)}s.`);
}

async function download(downloadDir: string): Promise<string> {
  await fs.mkdir(downloadDir, { recursive: true });
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'cached-download', downloadDir, ttl: '3650 days' } },
  });
  await env.teardown();
  const found = await findDownloaded(downloadDir);
  if (!found) throw new TemporalBinaryError(`the download left no temporal binary in ${downloadDir}`);
  return found;
}

async function findDownloaded(downloadDir: string): Promise<string | undefined> {
  const entries = await fs.readdir(downloadDir).catch(() => [] as string[]);
  for (const name of entries.sort().reverse()) {
    const candidate = path.join(downloadDir, name);
    if (name.startsWith('temporal') && (await isExecutable(candidate))) return candidate;
  }
  return undefined;
}

async function findOnPath(name: string, searchPath: string): Promise<string | undefined> {
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return false;
    await fs.access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
