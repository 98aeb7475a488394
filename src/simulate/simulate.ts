// `rapport simulate`: the production interpreter on a virtual clock, with no Temporal and no database.
// One candidate, one playbook, optional events; prints the timeline a person (or a test) can read.
import { consentRefusal } from '../interpreter/consent.js';
import { addDuration } from '../interpreter/duration.js';
import {
  decideEnrollment,
  isOver,
  liquidScope,
  startJourney,
  step,
  type Channel,
  type Command,
  type Expressions,
  type Input,
  type JourneyEvent,
  type JourneyState,
  type PlaybookDefinition,
  type StepContext,
} from '../interpreter/index.js';
import { eventFacts } from '../events/facts.js';

export interface SimulatedEvent {
  at: string;
  type: string;
  data?: Record<string, unknown>;
}

export interface TimelineLine {
  at: string;
  action: string;
  step?: string;
  [detail: string]: unknown;
}

export interface SimulationOptions {
  definition: PlaybookDefinition;
  candidate: Record<string, unknown>;
  events?: readonly SimulatedEvent[];
  start: string;
  days: number;
  expressions: Expressions;
  /** Renders a template's subject for send lines; omitted, send lines carry no subject. */
  subjectOf?: (template: string, scope: Record<string, unknown>) => string;
  /** Each template's channel, for sends that do not name one (TemplateEngine#channels). */
  channels?: Readonly<Record<string, Channel>>;
  org?: Record<string, unknown>;
  /** Applied to every journey state between inputs (tests pass a JSON round trip). */
  carry?: (state: JourneyState) => JourneyState;
}

const TAGS = 'tags';
type DoneResult = Extract<Input, { type: 'done' }>['result'];

/** Runs the simulation and returns the timeline in time order. */
export function simulate(options: SimulationOptions): TimelineLine[] {
  const { definition, expressions } = options;
  // Updates change top-level fields and the tags list: a shallow copy keeps the caller's object intact.
  const candidate: Record<string, unknown> = { ...options.candidate };
  if (Array.isArray(candidate[TAGS])) candidate[TAGS] = [...(candidate[TAGS] as unknown[])];
  const end = addDuration(options.start, { months: 0, ms: options.days * 86_400_000 });
  const events = (options.events ?? [])
    .map((e, i) => ({ at: e.at, type: e.type, id: `sim-${i + 1}`, data: e.data ?? {} }))
    .filter((e) => e.at >= options.start && e.at <= end)
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const carry = options.carry ?? ((state: JourneyState) => state);
  // A job playbook's subject is the job: the file given as the candidate describes the job.
  const forJob = definition.for === 'job';
  const lines: TimelineLine[] = [];
  const sentAt: string[] = [];
  const journeys: JourneyState[] = [];
  let sequence = 0;

  // One context for the whole run: the candidate and the send history change in place.
  const shared: StepContext = {
    candidate: forJob ? {} : candidate,
    ...(forJob ? { job: candidate } : {}),
    org: options.org ?? {},
    sentAt,
    expressions,
    ...(options.channels ? { channels: options.channels } : {}),
  };
  const context = () => shared;

  /** Feeds a `done` input for an effect the simulator carried out, queueing what follows. */
  const done = (index: number, at: string, command: Command, queue: Command[], result?: DoneResult) => {
    const input: Input = { type: 'done', at, step: (command as { step: string }).step };
    if (result) input.result = result;
    const next = step(journeys[index]!, input, shared);
    journeys[index] = carry(next.state);
    queue.push(...next.commands);
  };

  const execute = (index: number, at: string, commands: Command[]) => {
    const queue = [...commands];
    while (queue.length) {
      const command = queue.shift()!;
      switch (command.type) {
        case 'send': {
          const journey = journeys[index]!;
          // The simulator delivers, so it makes the send's one consent decision, by the activity's rule.
          // Addresses are not checked: a sample candidate need not carry every channel's.
          const refused = consentRefusal(candidate, command.channel, command.to);
          if (refused) {
            lines.push({
              at,
              action: 'suppressed',
              step: command.step,
              reason: refused,
              template: command.template,
              channel: command.channel,
            });
            done(index, at, command, queue, { outcome: 'suppressed' });
            break;
          }
          const scope = liquidScope({
            candidate,
            job: shared.job,
            org: options.org,
            event: journey.event,
            now: at,
            journey: {
              id: journey.id,
              playbook: definition.playbook,
              version: definition.version,
              started_at: journey.startedAt,
              step: command.step,
            },
          });
          const line: TimelineLine = {
            at,
            action: 'send',
            step: command.step,
            template: command.template,
            channel: command.channel,
          };
          if (command.to === 'owner') line.to = 'owner';
          if (options.subjectOf) line.subject = options.subjectOf(command.template, scope);
          lines.push(line);
          if (command.to === 'candidate') sentAt.push(at);
          done(index, at, command, queue, { outcome: 'sent' });
          break;
        }
        case 'update':
          applyUpdate(candidate, command);
          lines.push({
            at,
            action: 'update',
            step: command.step,
            ...(command.set ? { set: command.set } : {}),
            ...(command.tags ? { tags: command.tags } : {}),
          });
          done(index, at, command, queue);
          break;
        case 'task':
          lines.push({
            at,
            action: 'task',
            step: command.step,
            title: command.title,
            assignee: command.assignee,
            ...(command.due ? { due: command.due } : {}),
          });
          done(index, at, command, queue);
          break;
        case 'enroll':
          lines.push({ at, action: 'enroll', step: command.step, playbook: command.playbook });
          done(index, at, command, queue);
          break;
        case 'find':
          lines.push({
            at,
            action: 'find',
            step: command.step,
            match: command.query.match,
            limit: command.query.limit,
          });
          done(index, at, command, queue, { candidates: [] });
          break;
        case 'webhook':
          lines.push({ at, action: 'webhook', step: command.step, method: command.method, url: command.url });
          done(index, at, command, queue);
          break;
        case 'sleep':
          if (command.reason !== 'wait' && command.reason !== 'repeat') {
            lines.push({
              at,
              action: 'wait',
              step: command.step,
              until: command.until,
              reason: command.reason,
            });
          }
          break;
        case 'waitFor':
          break;
        case 'record':
          lines.push({ at, action: command.what, step: command.step, ...command.detail });
          break;
        case 'end':
          lines.push({
            at,
            action: 'exit',
            reason: command.reason,
            ...(command.status === 'failed' ? { status: 'failed' } : {}),
          });
          break;
      }
    }
  };

  const enroll = (at: string, event: JourneyEvent) => {
    const earlier = journeys.map((j) => ({ startedAt: j.startedAt, active: !isOver(j) }));
    const decision = decideEnrollment(definition, event, at, context(), earlier);
    if (!decision.enroll) return;
    sequence += 1;
    const id = `${definition.playbook}#${sequence}`;
    const started = startJourney(id, definition, at, context(), { event, failure: decision.failure });
    journeys.push(carry(started.state));
    lines.push({
      at,
      action: 'enroll',
      playbook: definition.playbook,
      version: definition.version,
      event: event.type,
    });
    execute(journeys.length - 1, at, started.commands);
  };

  // Without an enrolling event in the events, the subject enrolls at the start (as another playbook's
  // `enroll` step would enroll it when the playbook has no events of its own), after any event that
  // happens at that very instant.
  let enrollAtStart = !events.some((e) => definition.enroll.on.includes(e.type));
  const enrollNow = () => {
    enrollAtStart = false;
    const first = { id: 'sim-0', type: definition.enroll.on[0] ?? 'enrolled', data: {} };
    sequence += 1;
    const started = startJourney(`${definition.playbook}#${sequence}`, definition, options.start, shared, {
      event: first,
    });
    journeys.push(carry(started.state));
    lines.push({
      at: options.start,
      action: 'enroll',
      playbook: definition.playbook,
      version: definition.version,
      event: first.type,
    });
    execute(journeys.length - 1, options.start, started.commands);
  };

  for (;;) {
    const nextEvent = events[0];
    let at = nextEvent?.at;
    if (enrollAtStart && (at === undefined || options.start < at)) at = options.start;
    for (const j of journeys) {
      const until = !isOver(j) && j.awaiting && j.awaiting.kind !== 'effect' ? j.awaiting.until : undefined;
      if (until !== undefined && (at === undefined || until < at)) at = until;
    }
    if (at === undefined || at > end) break;
    if (enrollAtStart && !(nextEvent && nextEvent.at === at)) {
      enrollNow();
      continue;
    }
    if (nextEvent && nextEvent.at === at) {
      // Events first: an exit at the same instant as a timer wins.
      events.shift();
      const event: JourneyEvent = { id: nextEvent.id, type: nextEvent.type, data: nextEvent.data };
      lines.push({ at, action: 'event', type: event.type });
      // As in production, an unsubscribe is recorded on the candidate before any journey reacts.
      if (!forJob) Object.assign(candidate, eventFacts(event.type, at));
      journeys.forEach((j, i) => {
        if (isOver(j)) return;
        const next = step(j, { type: 'event', at, event }, context());
        journeys[i] = carry(next.state);
        execute(i, at, next.commands);
      });
      if (definition.enroll.on.includes(event.type)) enroll(at, event);
      continue;
    }
    journeys.forEach((j, i) => {
      if (isOver(j) || !j.awaiting || j.awaiting.kind === 'effect' || j.awaiting.until !== at) return;
      const next = step(j, { type: 'timer', at }, context());
      journeys[i] = carry(next.state);
      execute(i, at, next.commands);
    });
  }
  return lines;
}

function applyUpdate(
  candidate: Record<string, unknown>,
  command: Extract<Command, { type: 'update' }>,
): void {
  Object.assign(candidate, command.set ?? {});
  const tags = new Set(Array.isArray(candidate[TAGS]) ? (candidate[TAGS] as string[]) : []);
  for (const t of command.tags?.add ?? []) tags.add(t);
  for (const t of command.tags?.remove ?? []) tags.delete(t);
  candidate[TAGS] = [...tags];
}
