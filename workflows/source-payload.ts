// One workflow per source payload whose rule reads the vendor's API (`source-payload/<id>`): the read,
// mapping and acceptance run as one activity, retried with backoff while the vendor's API is down or
// slow, for up to ENRICH_FOR; a permanent failure (an answer that will not change, an event the mapping
// cannot fill) or running out of time is recorded where people see it (timeline, metrics, attention).
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../src/activities/index.js';
import { Failure } from './contract.js';

/** How long a vendor's API may stay unreachable before the payload is recorded as failed. */
const ENRICH_FOR = '3 days';

const { enrichSourcePayload } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: ENRICH_FOR,
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    nonRetryableErrorTypes: [Failure.SourceReadFailed, Failure.SourceEventInvalid],
  },
});
const { sourcePayloadFailed } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '1 minute' },
});

export async function sourcePayloadWorkflow(input: { payloadId: string }): Promise<void> {
  try {
    await enrichSourcePayload(input);
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    const cause = error.cause;
    const invalid = cause instanceof ApplicationFailure && cause.type === Failure.SourceEventInvalid;
    await sourcePayloadFailed({
      payloadId: input.payloadId,
      kind: invalid ? 'invalid-event' : 'read-failed',
      reason:
        cause instanceof ApplicationFailure
          ? cause.message
          : `the vendor's API did not answer within ${ENRICH_FOR}: ${cause?.message ?? error.message}`,
    });
  }
}
