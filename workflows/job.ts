// One workflow per job (`job/<id>`) for the job's playbooks (discover, hire): on `job.opened` they find
// candidates (rediscovery) and enroll them into candidate playbooks with the job in scope, in batches;
// `job.closed` ends them and the candidate journeys they started.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../src/activities/index.js';
import type { CandidateEvent } from '../src/domain.js';
import { createExpressions } from '../src/expressions/liquid.js';
import { decideEnrollment, perKey, type JourneyState } from '../src/interpreter/index.js';
import {
  handleJourneyOperations,
  JourneyRunner,
  now,
  type EffectCommand,
  type EffectResult,
} from './journeys.js';
import { eventSignal, SEEN_EVENTS_KEPT, type JobWorkflowInput } from './contract.js';

const { find, closeJob } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '1 minute' },
});
const { enrollCandidates } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumInterval: '1 minute' },
});
const { webhook } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 8 },
});

/** Candidates enrolled per activity; the activity signals a bounded number of them at a time. */
const ENROLL_BATCH = 100;
const expressions = createExpressions();

export async function jobWorkflow(input: JobWorkflowInput): Promise<void> {
  const { jobId } = input;
  const pending: CandidateEvent[] = [...(input.pending ?? [])];
  const seen = new Set(input.seenEventIds ?? []);
  let closed = false;

  const runner: JourneyRunner = new JourneyRunner(
    {
      candidateId: null,
      context: async () => ({ ...(await runner.bookkeeping.stepContext({ jobId })), expressions }),
      perform,
    },
    { journeys: input.journeys ?? [], history: input.history ?? [] },
  );
  runner.start();

  setHandler(eventSignal, (event) => {
    if (seen.has(event.id)) return;
    seen.add(event.id);
    pending.push(event);
  });
  handleJourneyOperations(runner);

  for (;;) {
    await condition(() => pending.length > 0 || runner.idle || workflowInfo().continueAsNewSuggested);
    if (workflowInfo().continueAsNewSuggested) {
      await runner.drain();
      await condition(allHandlersFinished);
      const { journeys, history } = runner.snapshot();
      await continueAsNew<typeof jobWorkflow>({
        jobId,
        journeys,
        history,
        pending,
        seenEventIds: [...seen].slice(-SEEN_EVENTS_KEPT),
      });
    }
    const event = pending.shift();
    if (event) {
      await handleEvent(event);
      continue;
    }
    if (runner.idle) break;
  }
  await condition(allHandlersFinished);

  async function handleEvent(event: CandidateEvent): Promise<void> {
    const at = now();
    await runner.route(event, at);
    if (event.type === 'job.closed') {
      closed = true;
      for (const j of runner.journeys.values()) runner.end(j.id, 'exited', 'job.closed');
      await closeJob({ jobId, eventId: event.id });
      return;
    }
    if (closed && event.type !== 'job.opened') return;
    closed = false;
    const { enrollments, stepContext } = runner.bookkeeping;
    const ctx = { ...(await stepContext({ jobId })), expressions };
    for (const definition of await enrollments({ eventType: event.type, for: 'job' })) {
      const id = `${definition.playbook}:${event.id}`;
      if (runner.journeys.has(id)) continue;
      const decision = decideEnrollment(
        definition,
        event,
        at,
        ctx,
        runner.journeysIn(definition.playbook, perKey(definition, event)),
      );
      if (decision.enroll)
        await runner.begin(id, definition, at, event, { context: ctx, jobId, failure: decision.failure });
    }
  }

  async function perform(j: JourneyState, command: EffectCommand): Promise<EffectResult> {
    const effect = { ...runner.effectOf(j.id), jobId, step: command.step, iteration: command.iteration };
    switch (command.type) {
      case 'find':
        return find({ ...effect, query: command.query });
      case 'enroll': {
        const candidates = command.candidates ?? [];
        for (let i = 0; i < candidates.length; i += ENROLL_BATCH) {
          await enrollCandidates({
            ...effect,
            playbook: command.playbook,
            candidates: candidates.slice(i, i + ENROLL_BATCH),
          });
        }
        return undefined;
      }
      case 'webhook': {
        const { type: _type, ...fields } = command;
        await webhook({ ...effect, ...fields });
        return undefined;
      }
      default:
        runner.fail(j.id, `${command.step}: ${command.type} steps act on a candidate, not on a job`);
        return undefined;
    }
  }
}
