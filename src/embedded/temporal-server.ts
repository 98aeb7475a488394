// Runs the Temporal dev server as a child process, durable in a SQLite file, and waits until its
// frontend answers. Stopping it ends the whole process group so no server is left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import net from 'node:net';
import { Connection } from '@temporalio/client';

export interface DevServerOptions {
  readonly binary: string;
  readonly dbFile: string;
  readonly port: number;
  readonly uiPort?: number;
  readonly namespace: string;
  readonly ip?: string;
  readonly extraArgs?: readonly string[];
  readonly onLog?: (line: string) => void;
  readonly startTimeoutMs?: number;
}

export interface DevServer {
  readonly address: string;
  readonly uiUrl: string | undefined;
  stop(): Promise<void>;
}

export async function startTemporalDevServer(options: DevServerOptions): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const address = `${ip}:${options.port}`;
  await fs.mkdir(path.dirname(options.dbFile), { recursive: true });
  const pidFile = `${options.dbFile}.pid`;
  await stopOrphan(pidFile, options.dbFile);
  for (const port of [options.port, options.uiPort]) {
    if (port !== undefined && (await isListening(ip, port))) {
      throw new Error(
        `Port ${port} on ${ip} is already in use, so the Temporal dev server cannot start. ` +
          'Is another Rapport running? Stop it, or choose other ports with RAPPORT_TEMPORAL_PORT and RAPPORT_TEMPORAL_UI_PORT.',
      );
    }
  }
  const args = [
    'server',
    'start-dev',
    '--ip',
    ip,
    '--port',
    String(options.port),
    '--namespace',
    options.namespace,
    '--db-filename',
    options.dbFile,
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--sqlite-pragma',
    'synchronous=OFF',
    '--log-level',
    'warn',
    ...(options.uiPort === undefined ? ['--headless'] : ['--ui-port', String(options.uiPort)]),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(options.binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let tail = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-2000);
    for (const line of text.split('\n')) if (line.trim()) options.onLog?.(line);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  if (child.pid !== undefined) await fs.writeFile(pidFile, String(child.pid));
  const stop = async () => {
    await stopProcessGroup(child, exited);
    await fs.rm(pidFile, { force: true });
  };
  try {
    await waitUntilServing(address, exited, options.startTimeoutMs ?? 60_000, () => tail);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    address,
    uiUrl: options.uiPort === undefined ? undefined : `http://${ip}:${options.uiPort}`,
    stop,
  };
}

async function waitUntilServing(
  address: string,
  exited: Promise<number | null>,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  let done = false;
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
    done = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (!done && Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const why = done ? `exited with code ${exitCode}` : `did not answer within ${timeoutMs / 1000}s`;
  throw new Error(`The Temporal dev server at ${address} ${why}.\n${output().trim()}`);
}

async function stopProcessGroup(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** A dev server left running by a Rapport that was killed outright is stopped before a new one starts. */
async function stopOrphan(pidFile: string, dbFile: string): Promise<void> {
  const pid = Number(await fs.readFile(pidFile, 'utf8').catch(() => ''));
  if (!Number.isInteger(pid) || pid <= 0) return;
  const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (cmdline.includes('start-dev') && cmdline.includes(dbFile)) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // gone meanwhile
    }
    for (
      let i = 0;
      i < 100 &&
      (await fs.access(`/proc/${pid}`).then(
        () => true,
        () => false,
      ));
      i++
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await fs.rm(pidFile, { force: true });
}

function isListening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
