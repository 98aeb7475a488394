// Bounded concurrency: never more than the limit at once, turns taken in arrival order, a failure frees
// its slot.
import { describe, expect, it } from 'vitest';
import { semaphore } from '../../src/concurrency.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('semaphore', () => {
  it('runs at most its limit at once, the rest in arrival order, past failures', async () => {
    const limited = semaphore(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const results = await Promise.allSettled(
      [20, 5, 5, 5, 1, 1].map((ms, i) =>
        limited(async () => {
          started.push(i);
          running += 1;
          most = Math.max(most, running);
          await tick(ms);
          running -= 1;
          if (i === 1) throw new Error('failed');
          return i;
        }),
      ),
    );
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    // Every slot was given back: the next operation runs at once.
    expect(await limited(() => Promise.resolve('free'))).toBe('free');
  });
});
