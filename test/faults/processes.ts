// The fault suite's processes: `rapport api` and `rapport worker` as separate, compiled processes (as in
// production), each started again by a supervisor whenever it dies; and the services they need
// (PostgreSQL, the Temporal dev server), stopped and started again on the same data.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { RAPPORT_BIN } from '../helpers/cli.js';

/** A `rapport` process that is started again when it dies, until stopped. */
export class Supervised {
  private child: ChildProcess | undefined;
  private output = '';
  private stopped = false;
  /** Times it died without being asked to (a crash, a lost connection). */
  crashes = 0;
  kills = 0;

  constructor(
    readonly name: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
    private readonly ready: string,
  ) {}

  /** Starts it and waits until it says it is ready. */
  async start(): Promise<void> {
    this.output = '';
    const child = spawn(process.execPath, [RAPPORT_BIN, ...this.args], { env: this.env, stdio: 'pipe' });
    this.child = child;
    const keep = (c: Buffer) => {
      // Only the tail is kept: the output of a long run would otherwise grow without bound.
      this.output = (this.output + c.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('exit', () => {
      if (this.child !== child || this.stopped) return;
      this.crashes += 1;
      this.child = undefined;
      // A process that cannot start yet (PostgreSQL or Temporal away) is tried again shortly.
      setTimeout(() => void this.start().catch(() => {}), 500);
    });
    const deadline = Date.now() + 90_000;
    while (!this.output.includes(this.ready)) {
      if (child.exitCode !== null || child.signalCode !== null) return; // the exit handler starts it again
      if (Date.now() > deadline) throw new Error(`${this.name} did not start:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGKILL, then started again. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    this.kills += 1;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    await this.start();
  }

  /** Asks it to stop (SIGTERM) and waits; it is not started again. */
  async stop(): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  tail(): string {
    return this.output;
  }
}

/** A service that can be stopped and started again on the same data (PostgreSQL, Temporal). */
export class Restartable<T extends { stop(): Promise<void> }> {
  running: T | undefined;
  restarts = 0;
  constructor(private readonly launch: () => Promise<T>) {}

  async start(): Promise<T> {
    this.running = await this.launch();
    return this.running;
  }

  async restart(pauseMs: number): Promise<void> {
    await this.running?.stop();
    await new Promise((r) => setTimeout(r, pauseMs));
    await this.start();
    this.restarts += 1;
  }
}

export const ROOT = path.resolve(import.meta.dirname, '../..');
