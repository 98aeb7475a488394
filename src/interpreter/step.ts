// The pure playbook interpreter: step(state, input, context) → new state + commands. It never reads a
// clock and never performs I/O; time arrives in inputs and leaves as "sleep until" commands, and effects
// (send, update, task, enroll, find, webhook) leave as commands whose results come back as `done` inputs.
import { nextSlotUnderCap } from './cap.js';
import { consentRefusal } from './consent.js';
import { aboutAnother, perKey } from './enrollment.js';
import { ownerOf } from './owner.js';
import { liquidScope } from './scope.js';
import { inert, SECRET_REFERENCES } from './secrets.js';
import { addDuration, parseDuration } from './duration.js';
import type {
  Command,
  Frame,
  Input,
  JourneyEvent,
  JourneyState,
  PlaybookDefinition,
  SendSpec,
  SleepReason,
  Step,
  StepContext,
  StepResult,
} from './types.js';
import { isValidTimezone, nextWindowOpening } from './window.js';
import { JourneyFailure } from './failure.js';
import { classOf, decideContact, ledgerOf } from './policy.js';

/** A journey that runs this many steps in one go is stuck in a loop that never waits. */
const MAX_STEPS_WITHOUT_WAITING = 10_000;
/** Events kept for the next waitFor while a journey carries out a step. */
const INBOX_SIZE = 20;

export class JourneyError extends JourneyFailure {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(`step ${step}: ${message}`);
    this.name = 'JourneyError';
  }
}

/** The reason a journey failed, from what a step threw. */
function failureReason(error: unknown, stepNow: string | undefined): string {
  if (error instanceof JourneyError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return stepNow ? `step ${stepNow}: ${message}` : message;
}

/**
 * Starts a journey. With `failure` (its enrollment condition could not be evaluated, for one) the journey
 * is recorded and ends as failed at once, with that reason.
 */
export interface StartOptions {
  /** The enrolling event: `event` in scope. */
  event?: JourneyEvent | undefined;
  /** Enrollment could not be decided: the journey starts failed, with this reason. */
  failure?: string | undefined;
  /** False only for workflows that replay a history from before consent was decided at delivery. */
  consentAtDelivery?: boolean;
  /** What a campaign gives the journey from its first step: its id, and the contact class it names. */
  campaign?: { id: string; contactClass?: string | undefined } | undefined;
}

export function startJourney(
  id: string,
  definition: PlaybookDefinition,
  at: string,
  context: StepContext,
  options: StartOptions = {},
): StepResult {
  const { event, failure } = options;
  const key = perKey(definition, event);
  const state: JourneyState = {
    id,
    definition,
    status: 'running',
    startedAt: at,
    ...(event ? { event } : {}),
    ...(key !== undefined ? { key } : {}),
    frames: [{ list: ['steps'], pc: 0 }],
    awaiting: null,
    iterations: {},
    ...(options.consentAtDelivery === false ? {} : { consentAtDelivery: true as const }),
    ...(options.campaign ? { campaignId: options.campaign.id } : {}),
    ...(options.campaign?.contactClass ? { contactClass: options.campaign.contactClass } : {}),
  };
  if (failure !== undefined) {
    const ended: JourneyState = { ...state, frames: [], status: 'failed', exitReason: failure };
    return { state: ended, commands: [{ type: 'end', status: 'failed', reason: failure }] };
  }
  return step(state, { type: 'start', at }, context);
}

export function step(previous: JourneyState, input: Input, context: StepContext): StepResult {
  if (isOver(previous)) return { state: previous, commands: [] };
  // Copy what a step may change, so the caller's state stays untouched; the definition is never changed.
  const state: JourneyState = {
    ...previous,
    frames: previous.frames.map(copyFrame),
    awaiting: previous.awaiting && { ...previous.awaiting },
  };
  const run = new Run(state, context, input.at);
  try {
    run.accept(input);
  } catch (error) {
    // Whatever a step cannot do (an expression over a value that is not there, a time zone that does
    // not exist, a window that never opens) ends this journey as failed, with the reason. Anything else
    // is a bug: it fails the workflow task, which a fixed release then carries on (src/interpreter/failure.ts).
    if (!(error instanceof JourneyFailure)) throw error;
    run.end('failed', failureReason(error, run.stepNow));
  }
  return { state, commands: run.commands };
}

export function isOver(state: JourneyState): boolean {
  return (
    state.status === 'completed' ||
    state.status === 'exited' ||
    state.status === 'cancelled' ||
    state.status === 'failed'
  );
}

/** Ends a journey from outside its playbook (a recruiter cancelled it, its job closed). */
export function endJourney(
  previous: JourneyState,
  status: 'exited' | 'cancelled' | 'failed',
  reason: string,
): JourneyState {
  if (isOver(previous)) return previous;
  const { inbox: _inbox, ...rest } = previous;
  return { ...rest, status, awaiting: null, exitReason: reason };
}

/** The step list at a path of the definition (`['steps', 2, 'then']`); empty when there is none. */
export function stepsAt(definition: PlaybookDefinition, list: readonly (string | number)[]): Step[] {
  let node: unknown = definition;
  for (const key of list) node = (node as Record<string | number, unknown> | undefined)?.[key];
  return (node as Step[] | undefined) ?? [];
}

/** A step's stable name: its id, or its position in the definition (`steps/2/then/0`). */
export function stepName(current: Step, path: (string | number)[]): string {
  return current.id ?? path.join('/');
}

/** One call of `step`: applies one input, then runs until the journey blocks or ends. */
class Run {
  readonly commands: Command[] = [];
  /** The step being carried out, to name it when it fails. */
  stepNow: string | undefined;
  constructor(
    private readonly state: JourneyState,
    private readonly context: StepContext,
    private readonly at: string,
  ) {}

  accept(input: Input): void {
    const awaiting = this.state.awaiting;
    switch (input.type) {
      case 'start':
        break;
      case 'event': {
        if (
          this.state.definition.exit?.on.includes(input.event.type) &&
          !aboutAnother(this.state, input.event)
        )
          return this.end('exited', input.event.type);
        if (awaiting?.kind === 'effect') {
          // Busy carrying out a step (a send, a task…): keep the event for a waitFor that comes next,
          // so that a reply racing the send it answers is not lost.
          this.state.inbox = [...(this.state.inbox ?? []), input.event].slice(-INBOX_SIZE);
          return;
        }
        if (awaiting?.kind !== 'event' || !this.receive(input.event)) return;
        break;
      }
      case 'timer': {
        if (!awaiting || awaiting.kind === 'effect' || input.at < awaiting.until) return;
        this.state.awaiting = null;
        if (awaiting.kind === 'event') {
          const { frame } = this.current();
          this.record(awaiting.step, 'timeout', { waited_for: awaiting.types });
          frame.pc += 1;
          this.enter(frame, 'else');
        } else if (awaiting.reason === 'wait') {
          this.current().frame.pc += 1;
        }
        // 'window' and 'cap' re-run the send step; 'repeat' starts the next iteration.
        break;
      }
      case 'release': {
        // The send step runs again and asks the policy anew.
        if (awaiting?.kind !== 'timer' || awaiting.reason !== 'policy') return;
        this.state.awaiting = null;
        break;
      }
      case 'done': {
        if (awaiting?.kind !== 'effect' || awaiting.step !== input.step) return;
        if (input.result?.candidates) this.state.found = input.result.candidates;
        this.state.awaiting = null;
        this.current().frame.pc += 1;
        break;
      }
    }
    this.advance();
  }

  /** Runs steps until one blocks (effect, timer, event) or the journey ends. */
  private advance(): void {
    let budget = MAX_STEPS_WITHOUT_WAITING;
    while (!isOver(this.state) && this.state.awaiting === null) {
      if (--budget < 0) {
        throw new JourneyError('loop', `ran ${MAX_STEPS_WITHOUT_WAITING} steps without waiting`);
      }
      const frame = this.state.frames.at(-1);
      if (!frame) return this.end('completed', 'completed');
      const list = this.list(frame);
      if (frame.pc >= list.length) {
        this.finishFrame(frame);
        continue;
      }
      this.execute(frame, list[frame.pc]!, [...frame.list, frame.pc]);
    }
    this.state.status = isOver(this.state) ? this.state.status : 'waiting';
  }

  private execute(frame: Frame, current: Step, path: (string | number)[]): void {
    const name = stepName(current, path);
    this.stepNow = name;
    if ('send' in current) return this.send(current.send, name);
    if ('wait' in current) {
      const until =
        typeof current.wait === 'string'
          ? addDuration(this.at, this.duration(current.wait, name))
          : this.instant(current.wait.until, name);
      return this.sleep(name, until, 'wait');
    }
    if ('waitFor' in current) {
      const types = [current.waitFor.event].flat();
      const until = addDuration(this.at, this.duration(current.waitFor.timeout, name));
      this.state.awaiting = { kind: 'event', step: name, types, until };
      const inbox = this.state.inbox ?? [];
      delete this.state.inbox;
      if (inbox.some((event) => this.receive(event))) return;
      this.commands.push({ type: 'waitFor', step: name, events: types, until });
      return;
    }
    if ('if' in current) {
      const value = this.value(current.if, {}, name);
      const taken = truthy(value) ? 'then' : 'else';
      this.record(name, 'branch', { if: current.if, value: value ?? null, taken });
      frame.pc += 1;
      return this.enter(frame, taken);
    }
    if ('update' in current) {
      const set = current.update.set && this.renderValues(current.update.set, name);
      return this.effect({
        type: 'update',
        step: name,
        ...(set ? { set } : {}),
        ...tags(current.update.tags),
        ...(current.update.pools ? { pools: current.update.pools } : {}),
      });
    }
    if ('task' in current) {
      const assignee =
        !current.task.assignee || current.task.assignee === 'owner'
          ? (ownerOf(this.state.definition, this.context.candidate) ?? 'unassigned')
          : current.task.assignee;
      const due = current.task.due ? addDuration(this.at, this.duration(current.task.due, name)) : undefined;
      const title = this.render(current.task.title, name);
      return this.effect({ type: 'task', step: name, title, assignee, ...(due ? { due } : {}) });
    }
    if ('enroll' in current) {
      const job = current.enroll.job === undefined ? undefined : this.value(current.enroll.job, {}, name);
      const forJob = this.state.definition.for === 'job';
      return this.effect({
        type: 'enroll',
        step: name,
        playbook: current.enroll.playbook,
        ...(job === undefined ? {} : { job }),
        ...(forJob ? { candidates: this.state.found ?? [] } : {}),
      });
    }
    if ('find' in current)
      return this.effect({ type: 'find', step: name, query: this.renderFind(current.find, name) });
    if ('webhook' in current) {
      // {{ env.NAME }} renders as a reference that only the webhook activity resolves (secrets.ts); no
      // value of the scope can make one.
      const scope = { ...inert(this.scope({})), env: SECRET_REFERENCES };
      const body =
        current.webhook.body === undefined ? undefined : this.renderDeep(current.webhook.body, name, scope);
      const headers =
        current.webhook.headers &&
        (this.renderDeep(current.webhook.headers, name, scope) as Record<string, string>);
      return this.effect({
        type: 'webhook',
        step: name,
        url: this.render(current.webhook.url, name, scope),
        method: current.webhook.method ?? 'POST',
        ...(headers ? { headers } : {}),
        ...(body === undefined ? {} : { body }),
      });
    }
    if ('repeat' in current) {
      if (current.repeat.until !== undefined && this.truthy(current.repeat.until, {}, name)) {
        frame.pc += 1;
        return;
      }
      this.state.frames.push({
        list: [...path, 'repeat', 'steps'],
        pc: 0,
        loop: { index: 0, startedAt: this.at },
      });
      return;
    }
    return this.end('exited', current.exit);
  }

  /** A step list ran to its end: leave it, or run the loop it belongs to again. */
  private finishFrame(frame: Frame): void {
    if (!frame.loop) {
      this.state.frames.pop();
      return;
    }
    const parent = this.state.frames.at(-2)!;
    const repeatStep = this.list(parent)[parent.pc] as Extract<Step, { repeat: unknown }>;
    const spec = repeatStep.repeat;
    const name = stepName(repeatStep, [...parent.list, parent.pc]);
    const done = frame.loop.index + 1;
    const more =
      (spec.times === undefined || done < spec.times) &&
      (spec.until === undefined || !this.truthy(spec.until, {}, name)) &&
      (spec.times !== undefined || spec.until !== undefined || spec.forever === true);
    if (!more) {
      this.state.frames.pop();
      parent.pc += 1;
      return;
    }
    const next = spec.every ? addDuration(frame.loop.startedAt, this.duration(spec.every, name)) : this.at;
    frame.pc = 0;
    frame.loop = { index: done, startedAt: next > this.at ? next : this.at };
    if (next > this.at) this.sleep(name, next, 'repeat');
  }

  private send(short: string | SendSpec, name: string): void {
    const spec = typeof short === 'string' ? { template: short } : short;
    const channel = spec.channel ?? this.context.channels?.[spec.template] ?? 'email';
    const candidate = this.context.candidate;
    const to = spec.to ?? 'candidate';
    // Journeys from before consent was decided at delivery decide here too, as they did then.
    const refused = this.state.consentAtDelivery ? undefined : consentRefusal(candidate, channel, to);
    if (refused) {
      this.record(name, 'suppressed', { reason: refused, template: spec.template, channel });
      this.current().frame.pc += 1;
      return;
    }
    const sending = this.state.definition.sending ?? {};
    const window = spec.window ?? sending.window;
    const cap = spec.cap ?? sending.cap;
    const capped = cap && to === 'candidate';
    let when = this.at;
    // The wait is the cap's when the cap alone moves the send; else the window's.
    let reason: 'cap' | 'window' = 'window';
    // Both rules must hold at once: fit under the cap, then inside the window, until neither moves.
    for (let i = 0; i < 10; i++) {
      if (capped) {
        const slot = nextSlotUnderCap(when, cap, this.context.sentAt);
        if (i === 0 && slot > when) reason = 'cap';
        when = slot;
      }
      const opening = window ? nextWindowOpening(when, window, this.zone(window.timezone)) : when;
      if (opening === when) break;
      when = opening;
    }
    if (when > this.at) return this.sleep(name, when, reason);
    if (to === 'candidate' && !this.allowedByPolicy(name, spec.template, channel)) return;
    this.effect(
      {
        type: 'send',
        step: name,
        template: spec.template,
        channel,
        to,
        ...(spec.from ? { from: spec.from } : {}),
      },
      to === 'candidate',
    );
  }

  /**
   * Asks the contact policy whether a send to the candidate may go now. A held send sleeps (the step runs
   * again when the rule may allow it); a dropped one is recorded and the journey goes on.
   */
  private allowedByPolicy(name: string, template: string, channel: string): boolean {
    const { policy } = this.context;
    if (!policy) return true;
    const held = this.state.held?.step === name ? this.state.held : undefined;
    const klass = classOf(policy, this.state.definition, this.state.contactClass);
    const ledger = this.context.contacts ?? ledgerOf(policy, [], this.context.sentAt);
    const verdict = decideContact(
      policy,
      {
        journey: this.state.id,
        class: klass,
        at: this.at,
        zone: this.zone(undefined),
        heldSince: held?.since,
      },
      ledger,
    );
    if (verdict.go) {
      delete this.state.held;
      return true;
    }
    const { rule, reason, until } = verdict;
    if (verdict.drop) {
      delete this.state.held;
      this.record(name, 'suppressed', { reason: 'policy', rule, class: klass, template, channel });
      this.current().frame.pc += 1;
      return false;
    }
    if (held?.rule !== rule)
      this.record(name, 'held', { rule, reason, class: klass, until, template, channel });
    this.state.held = { step: name, since: held?.since ?? this.at, rule, reason };
    this.sleep(name, until, 'policy');
    return false;
  }

  private effect(
    command: DistributiveOmit<Extract<Command, { iteration: number }>, 'iteration'>,
    contact = false,
  ): void {
    const iteration = this.state.iterations[command.step] ?? 0;
    // Copied on write: most steps leave the counts alone, and the caller's state must not change.
    const iterations = { ...this.state.iterations };
    iterations[command.step] = iteration + 1;
    this.state.iterations = iterations;
    // The command is this run's own object: it takes its iteration in place.
    (command as { iteration?: number }).iteration = iteration;
    this.commands.push(command as Command);
    this.state.awaiting = contact
      ? { kind: 'effect', step: command.step, contact }
      : { kind: 'effect', step: command.step };
  }

  /** Offers an event to the waitFor the journey is on: true when it matched and `then` was entered. */
  private receive(event: JourneyEvent): boolean {
    const awaiting = this.state.awaiting;
    if (awaiting?.kind !== 'event' || !awaiting.types.includes(event.type)) return false;
    const { frame, current } = this.current();
    const spec = (current as Extract<Step, { waitFor: unknown }>).waitFor;
    if (spec.if !== undefined && !this.truthy(spec.if, { event }, awaiting.step)) return false;
    this.state.event = event;
    this.record(awaiting.step, 'received', { event: event.type, if: spec.if });
    this.state.awaiting = null;
    frame.pc += 1;
    this.enter(frame, 'then');
    return true;
  }

  private sleep(name: string, until: string, reason: SleepReason): void {
    delete this.state.inbox;
    this.state.awaiting = { kind: 'timer', step: name, until, reason };
    this.commands.push({ type: 'sleep', step: name, until, reason });
  }

  private enter(frame: Frame, branch: 'then' | 'else'): void {
    const owner = this.list(frame)[frame.pc - 1] as { then?: Step[]; else?: Step[] };
    if (owner[branch]?.length) this.state.frames.push({ list: [...frame.list, frame.pc - 1, branch], pc: 0 });
  }

  end(status: 'completed' | 'exited' | 'failed', reason: string): void {
    this.state.status = status;
    this.state.awaiting = null;
    this.state.exitReason = reason;
    this.commands.push({ type: 'end', status, reason });
  }

  private record(
    step: string,
    what: Extract<Command, { type: 'record' }>['what'],
    detail: Record<string, unknown>,
  ) {
    const defined: Record<string, unknown> = {};
    for (const key in detail) if (detail[key] !== undefined) defined[key] = detail[key];
    this.commands.push({ type: 'record', step, what, detail: defined });
  }

  private current() {
    const frame = this.state.frames.at(-1)!;
    return { frame, current: this.list(frame)[frame.pc]! };
  }

  private list(frame: Frame): Step[] {
    return stepsAt(this.state.definition, frame.list);
  }

  private scope(extra: Record<string, unknown>): Record<string, unknown> {
    const { definition } = this.state;
    return liquidScope(
      {
        candidate: this.context.candidate,
        job: this.context.job,
        org: this.context.org,
        event: this.state.event,
        now: this.at,
        journey: {
          id: this.state.id,
          playbook: definition.playbook,
          version: definition.version,
          started_at: this.state.startedAt,
        },
      },
      extra,
    );
  }

  private value(expression: string, extra: Record<string, unknown>, name: string): unknown {
    try {
      return this.context.expressions.evaluate(expression, this.scope(extra));
    } catch (error) {
      if (!(error instanceof JourneyFailure)) throw error;
      throw new JourneyError(name, `cannot evaluate "${expression}": ${error.message}`);
    }
  }

  private truthy(expression: string, extra: Record<string, unknown>, name: string): boolean {
    return truthy(this.value(expression, extra, name));
  }

  private render(text: string, name: string, scope: Record<string, unknown> = this.scope({})): string {
    try {
      return this.context.expressions.render(text, scope);
    } catch (error) {
      if (!(error instanceof JourneyFailure)) throw error;
      throw new JourneyError(name, `cannot render "${text}": ${error.message}`);
    }
  }

  private renderValues(values: Record<string, string | null>, name: string): Record<string, string | null> {
    return Object.fromEntries(
      Object.entries(values).map(([k, v]) => [k, v === null ? null : this.render(v, name)]),
    );
  }

  private renderDeep(value: unknown, name: string, scope: Record<string, unknown> = this.scope({})): unknown {
    if (typeof value === 'string') return this.render(value, name, scope);
    if (Array.isArray(value)) return value.map((v) => this.renderDeep(v, name, scope));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.renderDeep(v, name, scope)]));
    }
    return value;
  }

  private renderFind(find: Extract<Step, { find: unknown }>['find'], name: string) {
    return { ...find, match: this.renderDeep(find.match, name) as typeof find.match };
  }

  private duration(text: string, name: string) {
    const duration = parseDuration(text);
    if (!duration) throw new JourneyError(name, `"${text}" is not a duration`);
    return duration;
  }

  private instant(expression: string, name: string): string {
    const value = this.value(expression, {}, name);
    const date = new Date(value instanceof Date ? value.getTime() : String(value));
    if (Number.isNaN(date.getTime()))
      throw new JourneyError(name, `"${expression}" gave ${JSON.stringify(value)}, not a date-time`);
    return date.toISOString();
  }

  private zone(setting: string | undefined): string {
    const candidateZone = this.context.candidate.timezone;
    const zone =
      setting && setting !== 'candidate' ? setting : candidateZone || this.state.definition.timezone || 'UTC';
    if (!isValidTimezone(zone)) throw new JourneyFailure(`the time zone "${zone}" does not exist`);
    return zone;
  }
}

/** A frame the new state owns: its position and loop may change, its path never does. */
function copyFrame(frame: Frame): Frame {
  const { list, pc, loop } = frame;
  return loop ? { list, pc, loop: { index: loop.index, startedAt: loop.startedAt } } : { list, pc };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function tags(value: { add?: string[]; remove?: string[] } | undefined) {
  return value ? { tags: value } : {};
}

/** Liquid truthiness: only false, null and undefined are false (empty strings and 0 are true). */
function truthy(value: unknown): boolean {
  return value !== false && value !== null && value !== undefined;
}
