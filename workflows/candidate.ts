// One workflow per candidate (`candidate/<id>`): receives every event about the candidate, enrolls
// them into playbooks (on events, or when a job's playbook asks), and runs their journeys side by side
// with the pure interpreter. Glue only: decisions are made in src/interpreter; I/O happens in activities.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../src/activities/index.js';
import type { CandidateEvent } from '../src/domain.js';
import { createExpressions } from '../src/expressions/liquid.js';
import {
  decideEnrollment,
  perKey,
  isOver,
  type JourneyState,
  type PlaybookDefinition,
} from '../src/interpreter/index.js';
import {
  handleJourneyOperations,
  JourneyRunner,
  now,
  type EffectCommand,
  type EffectResult,
} from './journeys.js';
import {
  enrollJourneyUpdate,
  enrollSignal,
  eventSignal,
  jobClosedSignal,
  SEEN_EVENTS_KEPT,
  type CandidateWorkflowInput,
  type JourneySummary,
  type ManualEnrollment,
  type EnrollRequest,
  type SendInput,
  effectInput,
  Failure,
  refusal,
} from './contract.js';

const { settleSend } = proxyActivities<Activities>({
  // Waits out a delivery attempt in progress (at most the send's own timeout), heartbeating.
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { maximumInterval: '1 minute' },
});
const { update, task } = proxyActivities<Activities>({
  // Database work of milliseconds: a worker that died mid-call is noticed soon.
  startToCloseTimeout: '10 seconds',
  retry: { maximumInterval: '1 minute' },
});
const { webhook } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 8 },
});
const { send } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  // A delivery heartbeats: an attempt on a worker that died is retried within seconds, not minutes.
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes' },
});

const expressions = createExpressions();

/** Patch: a new run reads back what earlier runs did (journeys, events taken in), and notes it as it ends. */
const MEMORY_ACROSS_RUNS = 'memory-across-runs';

export async function candidateWorkflow(input: CandidateWorkflowInput): Promise<void> {
  const { candidateId } = input;
  const pending: CandidateEvent[] = [...(input.pending ?? [])];
  const requests: EnrollRequest[] = [...(input.enrollRequests ?? [])];
  const seen = new Set(input.seenEventIds ?? []);
  /** Events taken in and not yet noted in the store; noted as the run ends (a later run ignores them). */
  const unnoted = new Set(input.seenEventIds ?? []);
  /** Enrollments a recruiter asked for, answered once the main loop has started them. */
  const manual: { request: ManualEnrollment; answer: (result: JourneySummary | Error) => void }[] = [];

  const runner: JourneyRunner = new JourneyRunner(
    {
      candidateId,
      context: async (j) => ({
        ...(await runner.bookkeeping.stepContext({ candidateId, ...(j.jobId ? { jobId: j.jobId } : {}) })),
        expressions,
      }),
      perform,
      abandoned: async (j, command) => {
        // The journey ended while its message was on the way: the outbox says whether it left.
        if (command.type === 'send') await settleSend(sendInput(j, command));
      },
    },
    {
      journeys: input.journeys ?? [],
      queued: input.queued ?? {},
      paused: input.paused ?? [],
      recorded: input.recorded ?? {},
      history: input.history ?? [],
    },
  );

  runner.start();

  setHandler(eventSignal, (event) => {
    if (seen.has(event.id)) return;
    seen.add(event.id);
    unnoted.add(event.id);
    pending.push(event);
  });
  setHandler(enrollSignal, (request) => {
    if (seen.has(request.id)) return;
    seen.add(request.id);
    requests.push(request);
  });
  setHandler(jobClosedSignal, ({ jobId }) => {
    for (const j of runner.journeys.values()) if (j.jobId === jobId) runner.end(j.id, 'exited', 'job.closed');
  });
  handleJourneyOperations(runner);
  setHandler(
    enrollJourneyUpdate,
    (request) =>
      new Promise<JourneySummary>((resolve, reject) =>
        manual.push({ request, answer: (r) => (r instanceof Error ? reject(r) : resolve(r)) }),
      ),
    {
      validator: (request: ManualEnrollment) => {
        if (!request.playbook) throw refusal(Failure.Invalid, 'playbook is required');
      },
    },
  );

  const remembers = patched(MEMORY_ACROSS_RUNS);
  if (remembers && input.history === undefined && input.seenEventIds === undefined) {
    // A run that continues no other: the candidate's journeys and events before it are in the store.
    // Re-entry rules count those journeys, none of them starts again, and an event an earlier run took
    // in (delivered again after its mark was lost, or replayed) is ignored.
    const memory = await runner.bookkeeping.candidateMemory({ candidateId });
    runner.remember(memory.history);
    const before = new Set(memory.seenEventIds);
    for (const id of before) {
      seen.add(id);
      unnoted.delete(id);
    }
    const fresh = pending.filter((e) => !before.has(e.id));
    pending.splice(0, pending.length, ...fresh);
  }

  for (;;) {
    await condition(
      () =>
        pending.length > 0 ||
        requests.length > 0 ||
        manual.length > 0 ||
        (runner.idle && allHandlersFinished()) ||
        workflowInfo().continueAsNewSuggested,
    );
    if (workflowInfo().continueAsNewSuggested) {
      // Drivers stop at their next rest; events keep arriving into `pending` and go to the next run.
      // A recruiter's enrollment is an update whose caller waits: it is answered before the run ends.
      await runner.drain();
      for (;;) {
        await condition(() => allHandlersFinished() || manual.length > 0);
        const asked = manual.shift();
        if (!asked) break;
        await answer(asked);
        await runner.drain();
      }
      const carried = runner.snapshot();
      await continueAsNew<typeof candidateWorkflow>({
        candidateId,
        ...carried,
        pending,
        enrollRequests: requests,
        seenEventIds: [...seen].slice(-SEEN_EVENTS_KEPT),
      });
    }
    const event = pending.shift();
    if (event) {
      await handleEvent(event);
      continue;
    }
    const request = requests.shift();
    if (request) {
      await handleEnrollRequest(request);
      continue;
    }
    const asked = manual.shift();
    if (asked) {
      await answer(asked);
      continue;
    }
    // Done when no journey is left and no caller waits for an answer (an update arriving now is handled).
    if (runner.idle && allHandlersFinished()) {
      if (!remembers || !unnoted.size) break;
      // What this run took in is noted before it ends; whatever arrives meanwhile is taken in first.
      const eventIds = [...unnoted];
      unnoted.clear();
      await runner.bookkeeping.rememberHandled({ candidateId, eventIds });
    }
  }

  async function handleEvent(event: CandidateEvent): Promise<void> {
    const at = now();
    await runner.route(event, at);
    const { enrollments, stepContext } = runner.bookkeeping;
    for (const definition of await enrollments({ eventType: event.type })) {
      const id = `${definition.playbook}:${event.id}`;
      if (runner.has(id)) continue;
      const ctx = { ...(await stepContext({ candidateId })), expressions };
      const decision = decideEnrollment(
        definition,
        event,
        at,
        ctx,
        runner.journeysIn(definition.playbook, perKey(definition, event)),
      );
      if (decision.enroll)
        await runner.begin(id, definition, at, event, { context: ctx, failure: decision.failure });
    }
  }

  async function handleEnrollRequest(request: EnrollRequest): Promise<void> {
    const definition = await runner.bookkeeping.playbook({ id: request.playbook });
    if (request.campaignId) {
      await enrollForCampaign(request, definition);
      return;
    }
    // Once per job, and never twice at a time in the same playbook.
    const id = `${definition.playbook}:job-${request.jobId}:${candidateId}`;
    if (runner.has(id) || runner.journeysIn(definition.playbook).some((j) => j.active)) return;
    await runner.begin(id, definition, now(), undefined, { jobId: request.jobId });
  }

  /**
   * A campaign's enrollment: once per campaign, claimed in the database so that a request delivered again
   * (after a crash, or to a later run of this workflow) never starts a second journey; skipped, and
   * counted, when the candidate is in the playbook already.
   */
  async function enrollForCampaign(request: EnrollRequest, definition: PlaybookDefinition): Promise<void> {
    const { campaignId, contactClass } = request as EnrollRequest & { campaignId: string };
    const id = `${definition.playbook}:campaign-${campaignId}:${candidateId}`;
    if (runner.has(id)) return;
    const busy = runner.journeysIn(definition.playbook).some((j) => j.active);
    const claimed = await runner.bookkeeping.claimCampaignEnrollment({
      campaignId,
      candidateId,
      runId: workflowInfo().runId,
      ...(busy ? { skip: 'in_playbook' } : {}),
    });
    if (claimed) await runner.begin(id, definition, now(), request.event, { campaignId, contactClass });
  }

  async function answer(asked: (typeof manual)[number]): Promise<void> {
    asked.answer(await enrollManually(asked.request).catch((error: Error) => error));
  }

  /** A recruiter's enrollment: any playbook for candidates, but never twice at a time. */
  async function enrollManually(request: ManualEnrollment): Promise<JourneySummary> {
    const definition = await runner.bookkeeping.playbook({ id: request.playbook }).catch(() => {
      throw refusal(Failure.NotFound, `playbook ${request.playbook} is not published`);
    });
    if ((definition.for ?? 'candidate') !== 'candidate')
      throw refusal(Failure.Invalid, `${request.playbook} is a job playbook`);
    const id = `${definition.playbook}:manual-${request.id}`;
    if (runner.journeys.has(id)) return runner.summary(id); // the same request, delivered again
    const active = [...runner.journeys.values()].find(
      (j) => j.definition.playbook === definition.playbook && !isOver(j),
    );
    if (active)
      throw refusal(
        Failure.Conflict,
        `the candidate is already in ${request.playbook} (journey ${active.id})`,
      );
    await runner.begin(id, definition, now(), undefined, request.jobId ? { jobId: request.jobId } : {});
    return runner.summary(id);
  }

  async function perform(j: JourneyState, command: EffectCommand): Promise<EffectResult> {
    const effect = { ...runner.effectOf(j.id), candidateId };
    switch (command.type) {
      case 'send': {
        const result = await send(sendInput(j, command));
        return { outcome: result.status };
      }
      case 'update':
        await update(effectInput(effect, command));
        return undefined;
      case 'task':
        await task(effectInput(effect, command));
        return undefined;
      case 'webhook':
        await webhook(effectInput(effect, command));
        return undefined;
      case 'enroll': {
        // Another playbook for this candidate, unless they are already in it; this journey goes on.
        const definition = await runner.bookkeeping.playbook({ id: command.playbook });
        const child = `${definition.playbook}:${j.id}/${command.step}/${command.iteration}`;
        const active = [...runner.journeys.values()].some(
          (other) => other.definition.playbook === definition.playbook && !isOver(other),
        );
        if (!active) await runner.begin(child, definition, now(), j.event, j.jobId ? { jobId: j.jobId } : {});
        return undefined;
      }
      case 'find':
        runner.fail(j.id, `${command.step}: find steps belong to job playbooks`);
        return undefined;
    }
  }

  function sendInput(j: JourneyState, command: Extract<EffectCommand, { type: 'send' }>): SendInput {
    return effectInput(
      {
        ...runner.effectOf(j.id),
        candidateId,
        playbook: { id: j.definition.playbook, version: j.definition.version, owner: j.definition.owner },
        event: (j.event as CandidateEvent | undefined) ?? null,
        startedAt: j.startedAt,
      },
      command,
    );
  }
}
