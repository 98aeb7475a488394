// A background task run once now and then every so often, one run at a time (a run still going covers
// the next), stopped by aborting its signal and waiting for the run in progress.

export function periodically(
  everyMs: number,
  run: (signal: AbortSignal) => Promise<unknown>,
  onError: (err: unknown) => void,
): { stop(): Promise<void> } {
  const stopping = new AbortController();
  let running: Promise<unknown> | undefined;
  const tick = () => {
    running ??= run(stopping.signal)
      .catch(onError)
      .finally(() => (running = undefined));
  };
  tick();
  const timer = setInterval(tick, everyMs).unref();
  return {
    async stop() {
      clearInterval(timer);
      stopping.abort();
      await running;
    },
  };
}
