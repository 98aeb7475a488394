// PostgreSQL or Temporal out of reach: every request that needs it answers 503 problem+json with
// Retry-After, never 500, and the log has one line when the outage starts and one when it ends (with how
// many requests it refused) — not a stack trace per request. Recovery is noticed by probing the
// dependency once a second while it is down.
import { isGrpcServiceError, ServiceError } from '@temporalio/client';
import type { Logger } from 'pino';
import { isConnectionLost } from '../db/client.js';
import { Problem } from './problem.js';

type Dependency = 'postgres' | 'temporal';

const NAMES: Record<Dependency, string> = { postgres: 'PostgreSQL', temporal: 'Temporal' };
/** Retry-After of a request refused during an outage, in seconds. */
const OUTAGE_RETRY_AFTER_S = 5;
const PROBE_MS = 1000;

/** gRPC codes of a Temporal frontend that cannot be reached or did not answer in time. */
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

/** Which dependency an error says is out of reach, if any. */
function unreachable(error: unknown): Dependency | undefined {
  if (isConnectionLost(error)) return 'postgres';
  const grpc = error instanceof ServiceError ? error.cause : error;
  const status = isGrpcServiceError(grpc) ? Number(grpc.code) : undefined;
  if (status === GRPC_UNAVAILABLE || status === GRPC_DEADLINE_EXCEEDED) return 'temporal';
  return undefined;
}

export interface Outages {
  /** The 503 for an error of an unreachable dependency (the outage noted), else undefined. */
  problemFor(error: unknown): Problem | undefined;
}

export function trackOutages(log: Logger, probes: Record<Dependency, () => Promise<unknown>>): Outages {
  const down = new Map<Dependency, { since: number; refused: number; timer: NodeJS.Timeout }>();
  const recovered = (dependency: Dependency) => {
    const outage = down.get(dependency);
    if (!outage) return;
    clearInterval(outage.timer);
    down.delete(dependency);
    log.warn(
      { dependency, seconds: Math.round((Date.now() - outage.since) / 1000), refused: outage.refused },
      `${NAMES[dependency]} is reachable again`,
    );
  };
  return {
    problemFor(error) {
      const dependency = unreachable(error);
      if (!dependency) return undefined;
      let outage = down.get(dependency);
      if (!outage) {
        const timer = setInterval(() => {
          probes[dependency]().then(
            () => recovered(dependency),
            () => {},
          );
        }, PROBE_MS).unref();
        outage = { since: Date.now(), refused: 0, timer };
        down.set(dependency, outage);
        log.error(
          { dependency, cause: (error as Error).message },
          `${NAMES[dependency]} is unreachable: requests that need it answer 503 until it is back`,
        );
      }
      outage.refused += 1;
      const problem = new Problem(
        503,
        'Service unavailable',
        `${NAMES[dependency]} cannot be reached right now. Try again after Retry-After.`,
      );
      problem.headers = { 'Retry-After': String(OUTAGE_RETRY_AFTER_S) };
      return problem;
    },
  };
}
