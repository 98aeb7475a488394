// The HTTP load generator of the API benchmark, in a process of its own (as real clients are): it
// receives a load to apply over IPC, applies it with node:http keep-alive connections, and answers with
// the latencies. Closed loop: `n` requests, `concurrency` in flight. Open loop: a fixed arrival rate.
import http from 'node:http';
import { randomUUID } from 'node:crypto';

export type Target =
  | { kind: 'event'; url: string; key: string; label: string; source: string }
  | { kind: 'healthz'; url: string };

export type Load =
  { loop: 'closed'; n: number; concurrency: number } | { loop: 'open'; perSecond: number; seconds: number };

export interface LoadResult {
  requests: number;
  seconds: number;
  /** Milliseconds, sorted. */
  latencies: number[];
  maxInFlight: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function request(target: Target, i: number): Promise<void> {
  const url = new URL(target.url);
  const body =
    target.kind === 'event'
      ? JSON.stringify({
          id: `${target.label}-${i}-${randomUUID()}`,
          source: target.source,
          type: 'candidate.applied',
          candidate: {
            email: `${target.label}-${i}-${randomUUID().slice(0, 8)}@bench.example`,
            first_name: `Bench${i}`,
          },
          data: { job: { title: 'Backend engineer' } },
        })
      : undefined;
  const expected = target.kind === 'event' ? 202 : 200;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: body ? 'POST' : 'GET',
        headers: body
          ? {
              authorization: `Bearer ${(target as { key: string }).key}`,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            }
          : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          res.statusCode === expected
            ? resolve()
            : reject(
                new Error(`${target.url} answered ${res.statusCode}: ${Buffer.concat(chunks).toString()}`),
              ),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function apply(target: Target, load: Load): Promise<LoadResult> {
  const latencies: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const timed = async (i: number, from: number) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await request(target, i);
    inFlight -= 1;
    latencies.push(performance.now() - from);
  };
  const started = performance.now();
  if (load.loop === 'closed') {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(load.concurrency, load.n) }, async () => {
        while (next < load.n) await timed(next++, performance.now());
      }),
    );
  } else {
    // Each latency runs from the request's scheduled time, so a late start counts against it.
    const n = Math.max(1, Math.round(load.perSecond * load.seconds));
    const interval = 1000 / load.perSecond;
    const pending: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const at = started + i * interval;
      const wait = at - performance.now();
      if (wait >= 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(timed(i, at));
    }
    await Promise.all(pending);
  }
  return {
    requests: latencies.length,
    seconds: (performance.now() - started) / 1000,
    latencies: latencies.sort((a, b) => a - b),
    maxInFlight,
  };
}

process.on('message', (message: { id: number; target: Target; load: Load }) => {
  apply(message.target, message.load).then(
    (result) => process.send!({ id: message.id, result }),
    (error: unknown) => process.send!({ id: message.id, error: String((error as Error).message ?? error) }),
  );
});
process.on('disconnect', () => process.exit(0));
