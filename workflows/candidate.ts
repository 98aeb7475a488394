// One workflow per candidate (`candidate/<id>`): receives every event about the candidate, enrolls
// them into playbooks, and drives each journey with the pure interpreter. Glue only: decisions are
// made in src/interpreter; I/O happens in activities.
import {
  ActivityFailure,
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
import {
  decideEnrollment,
  isOver,
  startJourney,
  step,
  type Command,
  type Input,
  type JourneyEvent,
  type JourneyState,
  type PlaybookDefinition,
  type StepContext,
  type StepResult,
} from '../src/interpreter/index.js';
import { eventSignal, journeysQuery, type CandidateWorkflowInput } from './messages.js';

const { enrollments, playbook, syncJourney, stepContext, update, task, recordDecision } =
  proxyActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    retry: { maximumInterval: '1 minute' },
  });
const { webhook } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 8 },
});
const { send } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes' },
});

const SEEN_EVENTS_KEPT = 1000;
const expressions = createExpressions();

export async function candidateWorkflow(input: CandidateWorkflowInput): Promise<void> {
  const workflowId = workflowInfo().workflowId;
  const pending: CandidateEvent[] = [...(input.pending ?? [])];
  const seen = new Set(input.seenEventIds ?? []);
  const journeys = new Map<string, JourneyState>((input.journeys ?? []).map((j) => [j.id, j]));
  const running = new Set<Promise<void>>();
  /** How many decisions each journey step recorded, to key the timeline entries. */
  const recorded = new Map<string, number>();

  setHandler(eventSignal, (event) => {
    if (seen.has(event.id)) return;
    seen.add(event.id);
    pending.push(event);
  });
  setHandler(journeysQuery, () => [...journeys.values()]);

  const now = () => new Date(Date.now()).toISOString();
  const context = async (): Promise<StepContext> => ({
    ...(await stepContext({ candidateId: input.candidateId })),
    expressions,
  });
  const mirror = (j: JourneyState, transition?: 'started' | 'ended') =>
    syncJourney({
      journey: {
        id: j.id,
        workflowId,
        candidateId: input.candidateId,
        playbook: j.definition.playbook,
        version: j.definition.version,
        status: j.status,
        currentStep: j.awaiting?.step ?? null,
        nextActionAt: j.awaiting && j.awaiting.kind !== 'effect' ? j.awaiting.until : null,
        startedAt: j.startedAt,
        exitReason: j.exitReason ?? null,
      },
      transition,
    });

  /** Feeds one input to a journey and returns its commands. */
  const feed = async (id: string, next: Input): Promise<Command[]> => {
    const ctx = await context();
    // Read the state only after the await: another handler may have changed it meanwhile.
    const result: StepResult = step(journeys.get(id)!, next, ctx);
    journeys.set(id, result.state);
    return result.commands;
  };

  /** Carries out a journey's commands until it ends. */
  const drive = async (id: string, first: Command[]): Promise<void> => {
    const queue = [...first];
    const over = () => isOver(journeys.get(id)!);
    for (;;) {
      const current = journeys.get(id)!;
      if (over()) return mirror(current, 'ended');
      const command = queue.shift();
      if (!command) return;
      const effect = { workflowId, journeyId: id, candidateId: input.candidateId };
      try {
        switch (command.type) {
          case 'send': {
            const result = await send({
              ...effect,
              playbook: {
                id: current.definition.playbook,
                version: current.definition.version,
                owner: current.definition.owner,
              },
              step: command.step,
              iteration: command.iteration,
              template: command.template,
              channel: command.channel,
              event: (current.event as CandidateEvent | undefined) ?? null,
              startedAt: current.startedAt,
            });
            queue.push(
              ...(await feed(id, {
                type: 'done',
                at: now(),
                step: command.step,
                result: { outcome: result.status },
              })),
            );
            break;
          }
          case 'update':
          case 'task':
          case 'webhook': {
            // The command's fields are the activity's input: carry it out, then tell the interpreter.
            if (command.type === 'update') await update(activityInput(effect, command));
            else if (command.type === 'task') await task(activityInput(effect, command));
            else await webhook(activityInput(effect, command));
            queue.push(...(await feed(id, { type: 'done', at: now(), step: command.step })));
            break;
          }
          case 'enroll': {
            if (command.candidates === undefined) {
              // Another playbook for this candidate, unless they are already in it; the parent goes on.
              const definition = await playbook({ id: command.playbook });
              const child = `${definition.playbook}:${id}/${command.step}/${command.iteration}`;
              const active = [...journeys.values()].some(
                (j) => j.definition.playbook === definition.playbook && !isOver(j),
              );
              if (!journeys.has(child) && !active) await begin(child, definition, now(), current.event);
              queue.push(...(await feed(id, { type: 'done', at: now(), step: command.step })));
              break;
            }
            fail(id, 'enrolling found candidates runs in job workflows, which are not available yet');
            break;
          }
          case 'find':
            fail(id, 'find steps run in job workflows, which are not available yet');
            break;
          case 'sleep':
          case 'waitFor': {
            // What the journey waits on now, read before any await: an event handled while the mirror is
            // written must still wake this wait.
            const before = JSON.stringify(current.awaiting);
            await mirror(current);
            const until = Date.parse(command.until);
            const woken = await condition(
              () =>
                over() || pendingCommands.has(id) || JSON.stringify(journeys.get(id)!.awaiting) !== before,
              Math.max(0, until - Date.now()),
            );
            if (!woken) queue.push(...(await feed(id, { type: 'timer', at: now() })));
            queue.push(...(pendingCommands.get(id) ?? []));
            pendingCommands.delete(id);
            break;
          }
          case 'record':
            // Every decision goes on the timeline; the effect key makes a replayed record harmless.
            await recordDecision({
              ...effect,
              step: command.step,
              iteration: (recorded.get(`${id}/${command.step}`) ?? 0) + 1,
              what: command.what,
              detail: command.detail,
            });
            recorded.set(`${id}/${command.step}`, (recorded.get(`${id}/${command.step}`) ?? 0) + 1);
            break;
          case 'end':
            break;
        }
      } catch (error) {
        // An activity that failed for good (a template that does not render, a webhook refused) ends this
        // journey as failed, with the reason; the candidate's other journeys go on.
        if (!(error instanceof ActivityFailure)) throw error;
        const step = 'step' in command ? command.step : 'journey';
        fail(id, `${step}: ${error.cause?.message ?? error.message}`);
      }
    }
  };

  /** Commands produced by events routed to a journey while its driver was waiting. */
  const pendingCommands = new Map<string, Command[]>();

  /** Starts a journey: pins the definition in its state, mirrors it, and drives it. */
  const begin = async (
    id: string,
    definition: PlaybookDefinition,
    at: string,
    event: JourneyEvent | undefined,
    ctx?: StepContext,
  ): Promise<void> => {
    const started = startJourney(id, definition, at, ctx ?? (await context()), event);
    journeys.set(id, started.state);
    await mirror(started.state, 'started');
    launch(id, started.commands);
  };

  /** Ends a journey that reached something workflows cannot do yet, saying what. */
  const fail = (id: string, reason: string) => {
    journeys.set(id, { ...journeys.get(id)!, status: 'failed', awaiting: null, exitReason: reason });
  };

  const launch = (id: string, commands: Command[]) => {
    const p = drive(id, commands).finally(() => running.delete(p));
    running.add(p);
  };

  for (const j of journeys.values()) {
    if (!isOver(j) && j.awaiting && j.awaiting.kind !== 'effect') {
      launch(j.id, [
        j.awaiting.kind === 'event'
          ? { type: 'waitFor', step: j.awaiting.step, events: j.awaiting.types, until: j.awaiting.until }
          : { type: 'sleep', step: j.awaiting.step, until: j.awaiting.until, reason: j.awaiting.reason },
      ]);
    }
  }

  for (;;) {
    await condition(() => pending.length > 0 || running.size === 0);
    const event = pending.shift();
    if (event) {
      await handleEvent(event);
      continue;
    }
    if (running.size === 0) break;
  }
  await condition(allHandlersFinished);

  async function handleEvent(event: CandidateEvent): Promise<void> {
    const at = now();
    // Exit rules and awaited events apply at once, even to a journey waiting on a timer or a send.
    for (const j of journeys.values()) {
      if (isOver(j)) continue;
      const commands = await feed(j.id, { type: 'event', at, event });
      if (commands.length) pendingCommands.set(j.id, [...(pendingCommands.get(j.id) ?? []), ...commands]);
    }
    for (const definition of await enrollments({ eventType: event.type })) {
      const id = `${definition.playbook}:${event.id}`;
      if (journeys.has(id)) continue;
      const ctx = await context();
      const earlier = [...journeys.values()]
        .filter((j) => j.definition.playbook === definition.playbook)
        .map((j) => ({ startedAt: j.startedAt, active: !isOver(j) }));
      if (!decideEnrollment(definition, event, at, ctx, earlier).enroll) continue;
      await begin(id, definition, at, event, ctx);
    }
    if (workflowInfo().continueAsNewSuggested && pending.length === 0 && running.size === 0) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof candidateWorkflow>({
        candidateId: input.candidateId,
        journeys: [],
        pending,
        seenEventIds: [...seen].slice(-SEEN_EVENTS_KEPT),
      });
    }
  }
}

/** An effect command as its activity's input: the journey's identity plus the command's own fields. */
function activityInput<C extends { type: string }, E extends object>(
  effect: E,
  command: C,
): E & Omit<C, 'type'> {
  const { type: _type, ...fields } = command;
  return { ...effect, ...fields };
}
