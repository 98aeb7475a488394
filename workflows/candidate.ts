// One workflow per candidate (`candidate/<id>`): receives every event about the candidate, enrolls
// them into playbooks, and drives each journey with the pure interpreter. Glue only: decisions are
// made in src/interpreter; I/O happens in activities.
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
import { startJourney, step, type Command, type Input, type JourneyState } from '../src/interpreter/index.js';
import { eventSignal, journeysQuery, type CandidateWorkflowInput } from './messages.js';

const { enrollments, syncJourney } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '1 minute' },
});
const { send } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes' },
});

const SEEN_EVENTS_KEPT = 1000;

export async function candidateWorkflow(input: CandidateWorkflowInput): Promise<void> {
  const workflowId = workflowInfo().workflowId;
  const pending: CandidateEvent[] = [...(input.pending ?? [])];
  const seen = new Set(input.seenEventIds ?? []);
  const journeys = new Map<string, JourneyState>((input.journeys ?? []).map((j) => [j.id, j]));
  const running = new Set<Promise<void>>();

  setHandler(eventSignal, (event) => {
    if (seen.has(event.id)) return;
    seen.add(event.id);
    pending.push(event);
  });
  setHandler(journeysQuery, () => [...journeys.values()]);

  const mirror = (j: JourneyState, transition?: 'started' | 'ended') =>
    syncJourney({
      journey: {
        id: j.id,
        workflowId,
        candidateId: input.candidateId,
        playbook: j.definition.playbook,
        version: j.definition.version,
        status: j.status,
        currentStep: j.awaiting?.kind === 'send' ? j.awaiting.step : null,
        nextActionAt: j.awaiting?.kind === 'timer' ? j.awaiting.until : null,
        startedAt: j.startedAt,
        exitReason: j.exitReason ?? null,
      },
      transition,
    });

  const now = () => new Date(Date.now()).toISOString();

  /** Feeds inputs to one journey and carries out its commands until it ends. */
  const drive = async (id: string, first: Command[]): Promise<void> => {
    const queue = [...first];
    const isOver = () => ['completed', 'exited'].includes(journeys.get(id)!.status);
    const apply = (input: Input) => {
      const next = step(journeys.get(id)!, input);
      journeys.set(id, next.state);
      queue.push(...next.commands);
    };
    for (;;) {
      const current = journeys.get(id)!;
      if (isOver()) return mirror(current, 'ended');
      const command = queue.shift();
      if (!command) return;
      if (command.type === 'send') {
        const result = await send({
          workflowId,
          journeyId: id,
          candidateId: input.candidateId,
          playbook: {
            id: current.definition.playbook,
            version: current.definition.version,
            owner: current.definition.owner,
          },
          step: command.step,
          iteration: command.iteration,
          template: command.template,
          channel: command.channel,
          event: current.event ?? null,
          startedAt: current.startedAt,
        });
        // An exit that arrived during the send has already ended the journey; then this changes nothing.
        apply({ type: 'sent', at: now(), step: command.step, outcome: result.status });
      } else if (command.type === 'sleep') {
        await mirror(current);
        const timedOut = !(await condition(isOver, Math.max(0, Date.parse(command.until) - Date.now())));
        if (timedOut) apply({ type: 'timer', at: now() });
      }
    }
  };

  const launch = (id: string, commands: Command[]) => {
    const p = drive(id, commands).finally(() => running.delete(p));
    running.add(p);
  };

  // Resume journeys carried over from a previous run.
  for (const j of journeys.values()) {
    if (j.status === 'completed' || j.status === 'exited') continue;
    const resume: Command[] =
      j.awaiting?.kind === 'timer' ? [{ type: 'sleep', step: '', until: j.awaiting.until }] : [];
    if (resume.length) launch(j.id, resume);
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
    // Exit rules apply at once, even to a journey waiting on a timer or a send.
    for (const j of journeys.values()) {
      const input: Input = { type: 'event', at, event: { id: event.id, type: event.type } };
      const next = step(j, input);
      if (next.state !== j) journeys.set(j.id, next.state);
    }
    const active = new Set(
      [...journeys.values()]
        .filter((j) => j.status === 'running' || j.status === 'waiting')
        .map((j) => j.definition.playbook),
    );
    for (const definition of await enrollments({ eventType: event.type })) {
      if (active.has(definition.playbook)) continue;
      const id = `${definition.playbook}:${event.id}`;
      if (journeys.has(id)) continue;
      const started = startJourney(id, definition, at, event);
      journeys.set(id, started.state);
      await mirror(started.state, 'started');
      launch(id, started.commands);
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
