// The delivery queue's order: what is queued for one workflow runs one at a time, in the order queued,
// whether or not an earlier operation failed; different workflows do not wait for each other; an operation
// whose turn does not come in time never runs.
import { describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { createEventDelivery } from '../../src/intake/event-delivery.js';
import type { Db } from '../../src/db/client.js';
import { createLogger } from '../../src/log.js';

// `after` runs the caller's own operations: neither Temporal nor PostgreSQL is asked.
const delivery = (waitMs?: number) =>
  createEventDelivery({
    ...(waitMs === undefined ? {} : { waitMs }),
    temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
    taskQueue: 'unused',
    sql: undefined as unknown as Db,
    log: createLogger('silent'),
  });

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An operation that takes `ms` and then notes its name. */
const noting =
  (names: string[], name: string, ms = 0) =>
  async () => {
    await tick(ms);
    names.push(name);
  };

describe('the delivery queue', () => {
  it('runs one workflow’s operations one at a time, in order, past a failure', async () => {
    const queue = delivery();
    const log: string[] = [];
    let running = 0;
    const op =
      (name: string, ms: number, fail = false) =>
      async () => {
        running += 1;
        expect(running).toBe(1);
        log.push(`start ${name}`);
        await tick(ms);
        log.push(`end ${name}`);
        running -= 1;
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      queue.after('w', op('a', 30)),
      queue.after('w', op('b', 5, true)),
      queue.after('w', op('c', 1)),
    ]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('does not hold one workflow’s operations behind another’s', async () => {
    const queue = delivery();
    const order: string[] = [];
    const slow = queue.after('slow', noting(order, 'slow', 50));
    const fast = queue.after('fast', noting(order, 'fast'));
    await Promise.all([slow, fast]);
    expect(order).toEqual(['fast', 'slow']);
  });

  it('never runs an operation whose turn did not come in time, and answers 503', async () => {
    const queue = delivery(20);
    const ran: string[] = [];
    const first = queue.after('w', noting(ran, 'first', 60));
    const late = queue.after('w', noting(ran, 'late'));
    await expect(late).rejects.toMatchObject({ status: 503, headers: { 'Retry-After': '1' } });
    await first;
    await tick(10);
    expect(ran).toEqual(['first']);
    // The first one, once running, was waited for past the limit: its outcome is the caller's.
    await expect(first).resolves.toBeUndefined();
  });
});
