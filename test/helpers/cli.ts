// Runs the real `rapport` command as a child process, as a person would.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';

export const RAPPORT_BIN = path.resolve(import.meta.dirname, '../../bin/rapport.js');

export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv): RunningCli {
  const child = spawn(process.execPath, [RAPPORT_BIN, ...args], { env, stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    async waitForOutput(text, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      while (!output.includes(text)) {
        if (child.exitCode !== null)
          throw new Error(`rapport exited (${child.exitCode}) before printing "${text}":\n${output}`);
        if (Date.now() > deadline)
          throw new Error(`rapport did not print "${text}" within ${timeoutMs} ms:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

/** Runs a command to its end and returns its exit code and output. */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  const cli = startCli(args, env);
  const code = await cli.exited;
  return { code, output: cli.output() };
}

/** The environment a fresh machine would have: none of Rapport's own variables set. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(DATABASE_URL|TEMPORAL_|RAPPORT_|SMTP_URL|PORT|HOST|LOG_LEVEL)/.test(key)) delete env[key];
  }
  return { ...env, ...extra };
}
