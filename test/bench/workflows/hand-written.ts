// The baseline of the journeys benchmark: what the interpreter-driven `bench-journey` playbook does
// (test/bench/pipelines/bench-journey.yaml), written by hand as a Temporal workflow calling the same
// activities with the same options as workflows/candidate.ts and workflows/journeys.ts — including what
// the product requires of every journey: the journeys table says where it waits and until when.
import { proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../../src/activities/index.js';
import type { JourneyMirror } from '../../../src/db/journeys.js';

// The same options as workflows/journeys.ts (bookkeeping) and workflows/candidate.ts (sends).
const { stepContext, syncJourney, recordDecision } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumInterval: '1 minute' },
});
const { send } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes' },
});

export const HAND_WRITTEN_PLAYBOOK = 'bench-hand-written';
const CONDITION = "candidate.tags contains 'vip'";

export async function handWrittenJourney(input: { candidateId: string }): Promise<void> {
  const { candidateId } = input;
  const { workflowId } = workflowInfo();
  const journeyId = `${HAND_WRITTEN_PLAYBOOK}:${workflowId}`;
  const startedAt = new Date().toISOString();
  const playbook = { id: HAND_WRITTEN_PLAYBOOK, version: 1 };
  const mirror = (status: JourneyMirror['status'], currentStep: string | null): JourneyMirror => ({
    id: journeyId,
    workflowId,
    candidateId,
    jobId: null,
    playbook: HAND_WRITTEN_PLAYBOOK,
    version: 1,
    status,
    currentStep,
    nextActionAt: null,
    startedAt,
    exitReason: null,
  });
  const sendStep = (step: string) =>
    send({
      workflowId,
      journeyId,
      candidateId,
      playbook,
      step,
      iteration: 1,
      template: step,
      channel: 'email',
      to: 'candidate',
      event: null,
      startedAt,
    });
  const effect = { workflowId, journeyId, candidateId, jobId: null };
  // What the product requires of any journey: the mirror says where it waits and until when.
  const rest = async (step: string) => {
    const until = new Date(Date.now() + 1000).toISOString();
    await syncJourney({ journey: { ...mirror('waiting', step), nextActionAt: until } });
    await sleep('1s');
  };

  const ctx = await stepContext({ candidateId });
  await syncJourney({ journey: mirror('running', 'a'), transition: 'started' });
  await sendStep('a');
  await rest('wait-1');
  const vip = 'tags' in ctx.candidate && ctx.candidate.tags.includes('vip');
  await recordDecision({
    ...effect,
    step: 'vip',
    iteration: 1,
    what: 'branch',
    detail: { if: CONDITION, value: vip, taken: vip ? 'then' : 'else' },
  });
  await sendStep(vip ? 'b' : 'c');
  await rest('wait-2');
  await sendStep('d');
  await syncJourney({ journey: mirror('completed', null), transition: 'ended' });
}
