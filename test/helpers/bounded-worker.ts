// Synchronous work on hostile input run in a worker thread, each call bounded in time: a call that has
// not answered within its bound is a hang, and one that kills the worker (out of memory, a native
// crash) is a crash; either way the worker is replaced for the next call. The worker's module is
// TypeScript, loaded with tsx, and answers through `serveBounded`.
import { parentPort, Worker } from 'node:worker_threads';

export type Bounded<T> =
  | { kind: 'answered'; value: T; ms: number }
  | { kind: 'hang'; ms: number }
  | { kind: 'crash'; error: string };

interface Call<I> {
  id: number;
  input: I;
}
interface Answer<O> {
  id: number;
  value: O;
}

export class BoundedWorker<I, O> {
  private worker: Promise<Worker> | undefined;
  private calls = 0;

  constructor(
    private readonly module: URL,
    private readonly boundMs: number,
  ) {}

  /** Runs one call; never rejects. */
  async run(input: I): Promise<Bounded<O>> {
    const worker = await (this.worker ??= this.start());
    const id = ++this.calls;
    const started = performance.now();
    const outcome = await new Promise<Bounded<O>>((resolve) => {
      const done = (value: Bounded<O>) => {
        clearTimeout(timer);
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        resolve(value);
      };
      const onMessage = (answer: Answer<O>) => {
        if (answer.id === id)
          done({ kind: 'answered', value: answer.value, ms: performance.now() - started });
      };
      const onError = (error: Error) => done({ kind: 'crash', error: String(error.stack ?? error) });
      const onExit = (code: number) => done({ kind: 'crash', error: `the worker exited with code ${code}` });
      const timer = setTimeout(() => done({ kind: 'hang', ms: performance.now() - started }), this.boundMs);
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      worker.postMessage({ id, input } satisfies Call<I>);
    });
    if (outcome.kind !== 'answered') await this.close();
    return outcome;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await (await worker).terminate();
  }

  private start(): Promise<Worker> {
    const loader = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(this.module.href)}, ${JSON.stringify(import.meta.url)}))`;
    const worker = new Worker(loader, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
    return new Promise((resolve, reject) => {
      worker.once('message', () => resolve(worker));
      worker.once('error', reject);
    });
  }
}

/** In the worker's module: answers every call with `handle`, after saying it is ready. */
export function serveBounded<I, O>(handle: (input: I) => O | Promise<O>): void {
  const port = parentPort;
  if (!port) throw new Error('serveBounded runs in a worker thread');
  port.on('message', (call: Call<I>) => {
    void Promise.resolve(handle(call.input)).then((value) => port.postMessage({ id: call.id, value }));
  });
  port.postMessage('ready');
}
