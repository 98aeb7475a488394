// Events reach their workflows after the request that stored them has answered. A request commits the
// event to PostgreSQL and answers 202; this queue then signals the event's workflow (signal-with-start),
// in the order the events were accepted for each workflow, retrying while Temporal cannot be reached, and
// marks the event delivered. What a crash leaves undelivered, the sweep (src/intake/event-sweep.ts) delivers.
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { Gauge, Histogram, type Registry } from 'prom-client';
import type { Db } from '../db/client.js';
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { flushDelivered, markDelivered, markPending } from '../db/events.js';
import type { CandidateEvent } from '../domain.js';
import {
  CANDIDATE_WORKFLOW,
  JOB_WORKFLOW,
  candidateWorkflowId,
  eventSignal,
  jobWorkflowId,
} from '../../workflows/contract.js';
import { Problem } from '../http/problem.js';
import pLimit from 'p-limit';
import pRetry from 'p-retry';

/** One stored event on its way to the subject's workflow. */
export interface Delivery {
  workflowId: string;
  workflowType: typeof CANDIDATE_WORKFLOW | typeof JOB_WORKFLOW;
  args: [{ candidateId: string } | { jobId: string }];
  event: CandidateEvent;
}

/** The delivery of an event to its candidate's or job's workflow. */
export function deliveryTo(
  subject: { candidateId: string } | { jobId: string },
  event: CandidateEvent,
): Delivery {
  return 'candidateId' in subject
    ? {
        workflowId: candidateWorkflowId(subject.candidateId),
        workflowType: CANDIDATE_WORKFLOW,
        args: [subject],
        event,
      }
    : { workflowId: jobWorkflowId(subject.jobId), workflowType: JOB_WORKFLOW, args: [subject], event };
}

export interface EventDelivery {
  /**
   * Queues the event behind what was queued before for the same workflow; resolves once it is delivered
   * (or the queue has stopped).
   */
  queue(delivery: Delivery): Promise<void>;
  /**
   * Refuses new events while more than `backlog` wait in this process: throws a 503 Problem with
   * Retry-After. Called before anything is stored, so the refused request wrote nothing.
   */
  admit(): void;
  /**
   * Runs `operation` on a workflow after everything queued for it so far; its outcome is the caller's.
   * If its turn has not come within `waitMs` (the workflow's earlier events still wait for Temporal), it
   * never runs, and the answer is a 503 Problem.
   */
  after<T>(workflowId: string, operation: () => Promise<T>): Promise<T>;
  /** Runs `operation` on a workflow in its turn, without the caller waiting; a failure is logged. */
  later(workflowId: string, what: string, operation: () => Promise<unknown>): void;
  /** Whether the event is queued in this process, or delivered with its mark not written yet. */
  has(eventId: string): boolean;
  /** Events queued and not yet delivered. */
  readonly waiting: number;
  /**
   * Waits up to `timeoutMs` for what is queued to be delivered, then stops: signals in flight are
   * abandoned, and what is left stays stored, undelivered, for a sweep. Writes the marks noted so far.
   */
  stop(timeoutMs?: number): Promise<void>;
}

export interface DeliveryOptions {
  temporal: Client;
  taskQueue: string;
  sql: Db;
  log: Logger;
  /** Where the queue's gauge and delivery-time histogram are registered (/metrics). */
  registry?: Registry;
  /** Events waiting beyond which new ones are refused (default BACKLOG). */
  backlog?: number;
  /** How long `after` waits behind a workflow's earlier events before answering 503 (default WAIT_MS). */
  waitMs?: number;
  /** The first pause after a failed delivery; doubled on each failure up to MAX_RETRY_MS. */
  retryMs?: number;
}

const BACKLOG = 10_000;
const IN_FLIGHT = 64;
const WAIT_MS = 10_000;
const RETRY_MS = 200;
const MAX_RETRY_MS = 10_000;
/** Retry-After for a refused event, in seconds. */
const RETRY_AFTER_S = 5;

export function createEventDelivery(options: DeliveryOptions): EventDelivery {
  const { temporal, taskQueue, sql, log } = options;
  const backlog = options.backlog ?? BACKLOG;
  const waitMs = options.waitMs ?? WAIT_MS;
  const firstRetryMs = options.retryMs ?? RETRY_MS;
  /** The last operation queued for each workflow; an entry goes when its chain is done. */
  const tails = new Map<string, Promise<unknown>>();
  /** Each queued event's delivery, by event id. */
  const queued = new Map<string, Promise<void>>();
  const seconds = options.registry && deliveryMetrics(options.registry, () => queued.size);
  const stopping = new AbortController();
  // Every signal in flight and every retry pause listens to it: many listeners are the design, not a leak.
  setMaxListeners(Infinity, stopping.signal);
  const slots = pLimit(IN_FLIGHT);

  function chain<T>(workflowId: string, operation: () => Promise<T>): Promise<T> {
    const previous = tails.get(workflowId) ?? Promise.resolve();
    const result = previous.then(operation);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    tails.set(workflowId, tail);
    void tail.then(() => {
      if (tails.get(workflowId) === tail) tails.delete(workflowId);
    });
    return result;
  }

  /**
   * One signal-with-start, unless the queue has stopped (then false). Stopping abandons a signal in
   * flight: the client's own retries can take many seconds while Temporal is away.
   */
  const signal = (delivery: Delivery) =>
    slots(async () => {
      if (stopping.signal.aborted) return false;
      await unlessAborted(
        stopping.signal,
        temporal.workflow.signalWithStart(delivery.workflowType, {
          workflowId: delivery.workflowId,
          taskQueue,
          args: delivery.args,
          signal: eventSignal,
          signalArgs: [delivery.event],
        }),
      );
      return true;
    });

  async function deliver(delivery: Delivery, acceptedAt: number): Promise<void> {
    // Temporal unreachable or overloaded: the event waits, and so do later events for its workflow.
    let failures = 0;
    const delivered = await pRetry(() => signal(delivery), {
      retries: Infinity,
      minTimeout: firstRetryMs,
      maxTimeout: MAX_RETRY_MS,
      factor: 2,
      randomize: false,
      signal: stopping.signal,
      unref: true,
      onFailedAttempt: ({ error, attemptNumber }) => {
        failures = attemptNumber;
        if (attemptNumber === 1 || attemptNumber % 10 === 0)
          log.warn(
            { err: error, eventId: delivery.event.id, attempt: attemptNumber },
            'event delivery failed',
          );
      },
      shouldRetry: () => !stopping.signal.aborted,
    }).catch((err: unknown) => {
      // Stopped, or an error no retry can mend: the event stays undelivered and the sweep takes it.
      if (!stopping.signal.aborted) log.error({ err, eventId: delivery.event.id }, 'event delivery gave up');
      return false;
    });
    if (!delivered) return;
    if (failures)
      log.info({ eventId: delivery.event.id, attempt: failures + 1 }, 'event delivered after retrying');
    markDelivered(sql, delivery.event.id);
    seconds?.observe((performance.now() - acceptedAt) / 1000);
  }

  return {
    queue(delivery) {
      const id = delivery.event.id;
      let delivered = queued.get(id);
      if (!delivered) {
        const acceptedAt = performance.now();
        delivered = chain(delivery.workflowId, () => deliver(delivery, acceptedAt)).finally(() =>
          queued.delete(id),
        );
        queued.set(id, delivered);
      }
      return delivered;
    },
    admit() {
      if (queued.size < backlog) return;
      throw unavailable(
        `${queued.size} accepted events are waiting for the workflow service; this one was not stored. Send it again after Retry-After.`,
        RETRY_AFTER_S,
      );
    },
    after<T>(workflowId: string, operation: () => Promise<T>) {
      return new Promise<T>((resolve, reject) => {
        let state: 'waiting' | 'running' | 'abandoned' = 'waiting';
        const timer = setTimeout(() => {
          if (state !== 'waiting') return;
          state = 'abandoned';
          reject(
            unavailable(
              'The workflow service has not taken the earlier events of this workflow yet; nothing was changed. Try again after Retry-After.',
              Math.ceil(waitMs / 1000),
            ),
          );
        }, waitMs).unref();
        void chain(workflowId, async () => {
          if (state === 'abandoned') return;
          state = 'running';
          clearTimeout(timer);
          await operation().then(resolve, reject);
        });
      });
    },
    later(workflowId, what, operation) {
      chain(workflowId, operation).catch((err: unknown) => log.warn({ err, workflowId }, `${what} failed`));
    },
    has: (eventId) => queued.has(eventId) || markPending(sql, eventId),
    get waiting() {
      return queued.size;
    },
    async stop(timeoutMs = 10_000) {
      const all = () => Promise.all(queued.values()).then(() => undefined);
      await Promise.race([all(), sleep(timeoutMs, undefined, { ref: false })]);
      stopping.abort();
      await all();
      await flushDelivered(sql);
    },
  };
}

/** `work`'s outcome, or a rejection as soon as `signal` aborts (its listener goes with the work). */
function unlessAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('stopped'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function unavailable(detail: string, retryAfterSeconds: number): Problem {
  const problem = new Problem(503, 'Service unavailable', detail);
  problem.headers = { 'Retry-After': String(retryAfterSeconds) };
  return problem;
}

function deliveryMetrics(registry: Registry, waiting: () => number): Histogram {
  new Gauge({
    name: 'rapport_events_awaiting_delivery',
    help: 'Events this process accepted that have not reached their workflow yet.',
    registers: [registry],
    collect() {
      this.set(waiting());
    },
  });
  return new Histogram({
    name: 'rapport_event_delivery_seconds',
    help: 'From an event being accepted to its workflow having it (signal-with-start answered).',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
}
