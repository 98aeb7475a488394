// One workflow per campaign (`campaign/<id>`): waits for its start time, takes its pool's members, then
// enrolls them batch by batch at its rate (src/activities/campaigns.ts). Pause, resume and cancel are
// updates, answered once the status is recorded; pause and cancel also cancel the batch in flight, which
// stops before its next signal (a batch holds about two seconds of enrollments). Status writes go one
// after the other, each with the status as it is then, so the last one written is the latest. The state
// is small and continues as new when Temporal suggests it.
import {
  ActivityCancellationType,
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../src/activities/index.js';
import {
  campaignStateQuery,
  controlCampaignUpdate,
  Failure,
  refusal,
  type CampaignAction,
  type CampaignState,
  type CampaignWorkflowInput,
} from './contract.js';

const { prepareCampaign, recordCampaignStatus } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumInterval: '30 seconds' },
});
const { enrollCampaignBatch } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  // A batch heartbeats every second: a worker that died is noticed within seconds, and a pause reaches
  // the batch, which records what it sent before it stops.
  // Heartbeats go to the server at most every 4 s (80% of this), which is how soon a pause reaches it.
  heartbeatTimeout: '5 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Seconds of enrollments a batch holds at a set rate: how soon a pause or a cancel takes effect. */
const BATCH_SECONDS = 2;
/** Members per batch at no set rate. */
const UNLIMITED_BATCH = 500;

export function batchSize(ratePerMinute: number | null | undefined): number {
  if (!ratePerMinute) return UNLIMITED_BATCH;
  return Math.min(UNLIMITED_BATCH, Math.max(1, Math.ceil((ratePerMinute / 60) * BATCH_SECONDS)));
}

export async function campaignWorkflow(input: CampaignWorkflowInput): Promise<void> {
  const { campaignId } = input;
  const state: CampaignState = input.carried ?? { status: 'scheduled', started: false, pace: null };

  /** The batch in flight, which a pause or a cancel cancels. */
  let batchScope: CancellationScope | undefined;
  let writes: Promise<void> = Promise.resolve();
  /** Records the status as it is when the write runs, after the writes before it. */
  const recordStatus = () =>
    (writes = writes.then(() => recordCampaignStatus({ campaignId, status: state.status })));

  setHandler(campaignStateQuery, () => state);
  setHandler(
    controlCampaignUpdate,
    async ({ action }) => {
      apply(action);
      await recordStatus();
      return state.status;
    },
    { validator: ({ action }: { action: CampaignAction }) => check(action) },
  );

  for (;;) {
    if (state.status === 'cancelled' || state.status === 'completed') break;
    if (state.status === 'paused') {
      await condition(() => state.status !== 'paused');
      continue;
    }
    if (state.status === 'scheduled') {
      const wait = Date.parse(input.startAt) - Date.now();
      if (wait > 0 && (await condition(() => state.status !== 'scheduled', wait))) continue;
      state.status = 'running';
      await recordStatus();
      continue;
    }
    if (!state.started) {
      await prepareCampaign({ campaignId });
      state.started = true;
    }
    state.pace ??= { origin: new Date().toISOString(), done: 0 };
    const pace = state.pace;
    const scope = new CancellationScope();
    batchScope = scope;
    const batch = await scope
      .run(() =>
        enrollCampaignBatch({
          campaignId,
          playbook: input.playbook,
          contactClass: input.contactClass,
          ratePerMinute: input.ratePerMinute,
          pace,
          limit: batchSize(input.ratePerMinute),
        }),
      )
      .catch((error: unknown) => {
        // Paused or cancelled: the batch stopped before its next signal and recorded what it sent.
        if (isCancellation(error)) return undefined;
        throw error;
      })
      .finally(() => (batchScope = undefined));
    if (!batch) continue;
    if (state.pace) state.pace = { ...state.pace, done: state.pace.done + batch.requested };
    if (batch.remaining === 0 && state.status === 'running') {
      state.status = 'completed';
      await recordStatus();
      break;
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof campaignWorkflow>({ ...input, carried: state });
    }
  }
  await condition(allHandlersFinished);
  await writes;

  function check(action: CampaignAction): void {
    const { status } = state;
    if (status === 'cancelled' || status === 'completed')
      throw refusal(Failure.Ended, `the campaign is ${status} already`);
    if (action === 'pause' && status === 'paused')
      throw refusal(Failure.Conflict, 'the campaign is paused already');
    if (action === 'resume' && status !== 'paused')
      throw refusal(Failure.Conflict, `the campaign is ${status}, not paused`);
  }

  function apply(action: CampaignAction): void {
    if (action !== 'resume') {
      state.status = action === 'cancel' ? 'cancelled' : 'paused';
      batchScope?.cancel();
    } else {
      state.status = state.started ? 'running' : 'scheduled';
      // Paced anew from the resumption: no burst to catch up with the pause.
      state.pace = null;
    }
  }
}
