// Delivers what a crash left behind: events stored (so the request answered 202) whose delivery had not
// finished when the process that accepted them stopped. Once at an API process's start and then every
// SWEEP_MS, it delivers the undelivered events older than SWEEP_AGE_S: younger ones are most likely still
// on their way in some process's queue. An event can so reach its workflow twice; the workflow ignores an
// event id it has seen.
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { markDelivered, undeliveredEvents, type UndeliveredEvent } from '../db/events.js';
import { deliveryTo, type EventDelivery } from './event-delivery.js';
import { periodically } from '../runtime/periodically.js';

const SWEEP_MS = 30_000;
const SWEEP_AGE_S = 10;
const BATCH = 500;

export interface SweepDeps {
  sql: Db;
  delivery: EventDelivery;
  log: Logger;
}

/**
 * Queues the undelivered events older than `olderThanS` seconds (those already queued here excepted),
 * batch by batch, each batch once delivered; answers how many it found. Stops between batches once
 * `signal` aborts.
 */
export async function sweepUndelivered(
  deps: SweepDeps,
  olderThanS: number,
  signal?: AbortSignal,
): Promise<number> {
  // Every event this sweep queued: marks are written in batches, so a delivered one may still read as
  // undelivered for a moment.
  const seen = new Set<string>();
  while (!signal?.aborted) {
    // Enough rows to find a batch past the ones this process has queued or this sweep has seen.
    const limit = BATCH + seen.size + deps.delivery.waiting;
    const rows = (await undeliveredEvents(deps.sql, olderThanS, limit)).filter(
      (row) => !seen.has(row.id) && !deps.delivery.has(row.id),
    );
    if (rows.length === 0) break;
    for (const row of rows) seen.add(row.id);
    await Promise.all(rows.map((row) => deliverRow(deps, row)));
  }
  return seen.size;
}

function deliverRow(deps: SweepDeps, row: UndeliveredEvent): Promise<void> {
  const subject = row.erased
    ? undefined
    : row.candidate_id
      ? { candidateId: row.candidate_id }
      : row.job_id
        ? { jobId: row.job_id }
        : undefined;
  if (!subject) {
    // An erased candidate, or a subject that no longer exists: there is no workflow to tell.
    markDelivered(deps.sql, row.id);
    return Promise.resolve();
  }
  const event = {
    id: row.id,
    type: row.type,
    source: row.source,
    occurred_at: row.occurred_at.toISOString(),
    data: row.data,
  };
  return deps.delivery.queue(deliveryTo(subject, event));
}

/**
 * Sweeps once now and then every SWEEP_MS, until stopped. A sweep still waiting for Temporal covers the
 * next one's events too; stopping waits between batches (a batch in progress ends when the delivery
 * queue stops).
 */
export function startEventSweep(deps: SweepDeps): { stop(): Promise<void> } {
  return periodically(
    SWEEP_MS,
    async (signal) => {
      const found = await sweepUndelivered(deps, SWEEP_AGE_S, signal);
      if (found) deps.log.info({ found }, 'delivered events left undelivered');
    },
    (err) => deps.log.warn({ err }, 'sweeping undelivered events failed'),
  );
}
