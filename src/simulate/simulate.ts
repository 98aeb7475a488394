// `rapport simulate`: the production interpreter on a virtual clock, with no Temporal and no database.
// One candidate, one or more playbooks side by side (as the candidate's workflow runs them, under the same
// contact policy), optional events; prints the timeline a person (or a test) can read.
import { consentRefusal } from '../interpreter/consent.js';
import { addDuration } from '../interpreter/duration.js';
import { readableReferences } from '../interpreter/secrets.js';
import {
  decideEnrollment,
  perKey,
  isOver,
  ledgerOf,
  liquidScope,
  orgScope,
  startJourney,
  step,
  type Channel,
  type Command,
  type ContactPolicy,
  type Expressions,
  type Input,
  type OrgContent,
  type JourneyEvent,
  type JourneyState,
  type PlaybookDefinition,
  type StepContext,
} from '../interpreter/index.js';
import { eventFacts } from '../events/facts.js';
import { CAMPAIGN_ENROLLED } from '../domain.js';

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
  /** More playbooks the candidate is in, side by side; each line then names its playbook. */
  others?: readonly PlaybookDefinition[];
  /** The contact policy (pipelines/policy.yaml) every send to the candidate obeys. */
  policy?: ContactPolicy;
  candidate: Record<string, unknown>;
  events?: readonly SimulatedEvent[];
  start: string;
  days: number;
  expressions: Expressions;
  /** Renders a template's subject for send lines; omitted, send lines carry no subject. */
  subjectOf?: (template: string, scope: Record<string, unknown>) => string;
  /** Each template's channel, for sends that do not name one (TemplateEngine#channels). */
  channels?: Readonly<Record<string, Channel>>;
  /** The organisation templates see (pipelines/org.yaml), its news as of each send. */
  org?: OrgContent;
  /** Applied to every journey state between inputs (tests pass a JSON round trip). */
  carry?: (state: JourneyState) => JourneyState;
}

const TAGS = 'tags';
type DoneResult = Extract<Input, { type: 'done' }>['result'];

/** Runs the simulation and returns the timeline in time order. */
export function simulate(options: SimulationOptions): TimelineLine[] {
  const { definition, expressions } = options;
  const definitions = [definition, ...(options.others ?? [])];
  const several = definitions.length > 1;
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
  /** A journey ended: sends the policy holds look again, as in the workflow. */
  let ended = false;

  // One context for the whole run: the candidate and the send history change in place.
  const shared: StepContext = {
    candidate: forJob ? {} : candidate,
    ...(forJob ? { job: candidate } : {}),
    org: options.org ? { ...options.org } : {},
    sentAt,
    expressions,
    ...(options.channels ? { channels: options.channels } : {}),
    ...(options.policy && !forJob ? { policy: options.policy } : {}),
  };
  // The policy reads the other journeys as they are at this very input, as the workflow's runner does.
  const context = (): StepContext =>
    shared.policy ? { ...shared, contacts: ledgerOf(shared.policy, journeys, sentAt) } : shared;
  /** A line about a journey; with several playbooks it names the journey's. */
  const emit = (index: number, line: TimelineLine) =>
    lines.push(several ? { ...line, playbook: journeys[index]!.definition.playbook } : line);

  /** Feeds an input to a journey and carries out what follows. */
  const feed = (index: number, input: Input) => {
    const next = step(journeys[index]!, input, context());
    journeys[index] = carry(next.state);
    execute(index, input.at, next.commands);
  };

  /** Feeds a `done` input for an effect the simulator carried out, queueing what follows. */
  const done = (index: number, at: string, command: Command, queue: Command[], result?: DoneResult) => {
    const input: Input = { type: 'done', at, step: (command as { step: string }).step };
    if (result) input.result = result;
    const next = step(journeys[index]!, input, context());
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
            emit(index, {
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
            org: options.org ? orgScope(options.org, at) : undefined,
            event: journey.event,
            now: at,
            journey: {
              id: journey.id,
              playbook: journey.definition.playbook,
              version: journey.definition.version,
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
          emit(index, line);
          if (command.to === 'candidate') sentAt.push(at);
          done(index, at, command, queue, { outcome: 'sent' });
          break;
        }
        case 'update':
          applyUpdate(candidate, command);
          emit(index, {
            at,
            action: 'update',
            step: command.step,
            ...(command.set ? { set: command.set } : {}),
            ...(command.tags ? { tags: command.tags } : {}),
            ...(command.pools ? { pools: command.pools } : {}),
          });
          done(index, at, command, queue);
          break;
        case 'task':
          emit(index, {
            at,
            action: 'task',
            step: command.step,
            title: command.title,
            assignee: command.assignee,
            ...(command.due ? { due: command.due } : {}),
          });
          done(index, at, command, queue);
          break;
        case 'enroll': {
          emit(index, { at, action: 'enroll', step: command.step, playbook: command.playbook });
          const target = several ? definitions.find((d) => d.playbook === command.playbook) : undefined;
          done(index, at, command, queue);
          // A playbook simulated alongside starts as the enroll step starts it in production.
          if (target) begin(target, at, journeys[index]!.event);
          break;
        }
        case 'find':
          emit(index, {
            at,
            action: 'find',
            step: command.step,
            match: command.query.match,
            limit: command.query.limit,
          });
          done(index, at, command, queue, { candidates: [] });
          break;
        case 'webhook':
          emit(index, {
            at,
            action: 'webhook',
            step: command.step,
            method: command.method,
            url: readableReferences(command.url),
          });
          done(index, at, command, queue);
          break;
        case 'sleep':
          // A policy hold has its own line (`held`, with the rule and until when).
          if (command.reason === 'window' || command.reason === 'cap') {
            emit(index, {
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
          emit(index, { at, action: command.what, step: command.step, ...command.detail });
          break;
        case 'end':
          ended = true;
          emit(index, {
            at,
            action: 'exit',
            reason: command.reason,
            ...(command.status === 'failed' ? { status: 'failed' } : {}),
          });
          break;
      }
    }
  };

  /** Starts a journey in a playbook and carries out its first steps. */
  const begin = (
    target: PlaybookDefinition,
    at: string,
    event: JourneyEvent | undefined,
    failure?: string,
  ) => {
    sequence += 1;
    const id = `${target.playbook}#${sequence}`;
    const started = startJourney(id, target, at, context(), { event, failure });
    journeys.push(carry(started.state));
    lines.push({
      at,
      action: 'enroll',
      playbook: target.playbook,
      version: target.version,
      event: event?.type ?? 'enrolled',
    });
    execute(journeys.length - 1, at, started.commands);
  };

  const enroll = (target: PlaybookDefinition, at: string, event: JourneyEvent) => {
    const key = perKey(target, event);
    const earlier = journeys
      .filter((j) => j.definition.playbook === target.playbook && (key === undefined || j.key === key))
      .map((j) => ({ startedAt: j.startedAt, active: !isOver(j) }));
    const decision = decideEnrollment(target, event, at, context(), earlier);
    if (decision.enroll) begin(target, at, event, decision.failure);
  };

  /** After a journey ended, every send the policy holds asks again (until nothing more ends). */
  const release = (at: string) => {
    while (ended) {
      ended = false;
      journeys.forEach((j, i) => {
        if (!isOver(j) && j.awaiting?.kind === 'timer' && j.awaiting.reason === 'policy')
          feed(i, { type: 'release', at });
      });
    }
  };

  // A playbook without an enrolling event among the events enrolls the subject at the start (as another
  // playbook's `enroll` step would enroll it when the playbook has no events of its own), after any event
  // that happens at that very instant; or, when the events hold a `campaign.enrolled` (what a campaign
  // gives the journeys it starts: the campaign, the recruiting event it invites to), with that event.
  let atStart = definitions.filter((d) => !events.some((e) => d.enroll.on.includes(e.type)));
  const byCampaign = events.some((e) => e.type === CAMPAIGN_ENROLLED);
  const enrollAtStart = (at: string, event: JourneyEvent) => {
    const due = atStart;
    atStart = [];
    for (const d of due) begin(d, at, event);
  };

  for (;;) {
    const nextEvent = events[0];
    let at = nextEvent?.at;
    if (atStart.length && !byCampaign && (at === undefined || options.start < at)) at = options.start;
    for (const j of journeys) {
      const until = !isOver(j) && j.awaiting && j.awaiting.kind !== 'effect' ? j.awaiting.until : undefined;
      if (until !== undefined && (at === undefined || until < at)) at = until;
    }
    if (at === undefined || at > end) break;
    if (atStart.length && !byCampaign && !(nextEvent && nextEvent.at === at)) {
      const type = atStart[0]!.enroll.on[0] ?? 'enrolled';
      enrollAtStart(options.start, { id: 'sim-0', type, data: {} });
      release(at);
      continue;
    }
    if (nextEvent && nextEvent.at === at) {
      // Events first: an exit at the same instant as a timer wins.
      events.shift();
      const event: JourneyEvent = { id: nextEvent.id, type: nextEvent.type, data: nextEvent.data };
      lines.push({ at, action: 'event', type: event.type });
      if (event.type === CAMPAIGN_ENROLLED) {
        enrollAtStart(at, event);
        continue;
      }
      // As in production, an unsubscribe is recorded on the candidate before any journey reacts.
      if (!forJob) Object.assign(candidate, eventFacts(event.type, at));
      journeys.forEach((j, i) => {
        if (!isOver(j)) feed(i, { type: 'event', at, event });
      });
      release(at);
      for (const d of definitions) if (d.enroll.on.includes(event.type)) enroll(d, at, event);
      release(at);
      continue;
    }
    journeys.forEach((j, i) => {
      if (isOver(j) || !j.awaiting || j.awaiting.kind === 'effect' || j.awaiting.until !== at) return;
      feed(i, { type: 'timer', at });
    });
    release(at);
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
