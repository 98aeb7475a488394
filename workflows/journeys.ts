// Runs a subject's journeys side by side inside a workflow: feeds the pure interpreter, carries out its
// commands through activities, keeps the journeys table in step, and answers pause, resume, cancel and
// migrate. Shared by the candidate and job workflows; what differs (the effects, the context) is passed in.
//
// Each journey has a driver: a loop that carries out the journey's queued commands, then sleeps until its
// timer, an event (routed here by the workflow) or an operation wakes it. Events feed the interpreter at
// once, so `exit.on` applies mid-wait and mid-send; an effect in flight for a journey that ended is
// cancelled. Before continue-as-new the runner drains: drivers stop at their next rest, and the whole
// state (journeys, queued commands, paused set) goes to the next run.
import {
  ActivityFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../src/activities/index.js';
import {
  endJourney,
  isOver,
  ledgerOf,
  migrateJourney,
  startJourney,
  step,
  type Command,
  type Input,
  type JourneyEvent,
  type JourneyState,
  type PlaybookDefinition,
  type StepContext,
} from '../src/interpreter/index.js';
import {
  cancelJourneyUpdate,
  journeyStateQuery,
  journeysQuery,
  migrateJourneyUpdate,
  pauseJourneyUpdate,
  resumeJourneyUpdate,
  summarize,
  type JourneyOperation,
  type EarlierJourney,
  type JourneySummary,
  type MigrateRequest,
  Failure,
  refusal,
} from './contract.js';

/** Reads and bookkeeping of milliseconds: the step context, the mirror, the timeline, enrollments. */
const bookkeeping = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumInterval: '1 minute' },
});
export type Bookkeeping = Pick<
  Activities,
  | 'syncJourney'
  | 'recordDecision'
  | 'stepContext'
  | 'enrollments'
  | 'playbook'
  | 'claimCampaignEnrollment'
  | 'candidateMemory'
  | 'rememberHandled'
>;

/** Patch: the decisions of a journey's last step go on the timeline too (they were dropped before). */
const RECORD_FINAL_DECISIONS = 'record-final-decisions';
/** Patch: new journeys leave consent to the send activity (the interpreter decided it as well before). */
const CONSENT_AT_DELIVERY = 'consent-at-delivery';
/** Patch: the step context is reused until it may have changed (it was read before every input). */
const CACHED_CONTEXT = 'cached-step-context';
/** How long a step context read from the database is reused when nothing said it changed. */
const CONTEXT_MAX_AGE_MS = 5 * 60_000;

export type EffectCommand = Extract<Command, { iteration: number }>;
export type EffectResult = Extract<Input, { type: 'done' }>['result'];

export interface RunnerOptions {
  candidateId: string | null;
  /** The subject the step reads: loaded before every input. */
  context(journey: JourneyState): Promise<StepContext>;
  /** Carries out an effect; its result goes back to the interpreter. */
  perform(journey: JourneyState, command: EffectCommand): Promise<EffectResult>;
  /** Called after an effect was cancelled because its journey ended (settles a send, for one). */
  abandoned?(journey: JourneyState, command: EffectCommand): Promise<void>;
}

/** What a runner hands to the next run at continue-as-new. */
export interface RunnerState {
  journeys: JourneyState[];
  queued: Record<string, Command[]>;
  paused: string[];
  recorded: Record<string, number>;
  history: EarlierJourney[];
}

export class JourneyRunner {
  readonly journeys: Map<string, JourneyState>;
  private readonly queues: Map<string, Command[]>;
  private readonly paused: Set<string>;
  private readonly recorded: Map<string, number>;
  private readonly history: EarlierJourney[];
  /** Ids of the journeys in `history`, so that none starts twice. */
  private readonly earlier = new Set<string>();
  private readonly drivers = new Map<string, Promise<void>>();
  private readonly scopes = new Map<string, CancellationScope>();
  /** The last summary written to the journeys table, so unchanged states are not written again. */
  private readonly mirrored = new Map<string, string>();
  private readonly workflowId = workflowInfo().workflowId;
  private draining = false;
  /** The subject as last read, per job in scope: reused until something may have changed it. */
  private readonly contexts = new Map<string, { at: number; value: StepContext }>();
  /** Runs that began before the context was cached replay as they ran, reading it before every input. */
  private readonly cachesContext = patched(CACHED_CONTEXT);
  /** The bookkeeping activities, for the workflows' own reads (enrollments, context, playbooks). */
  readonly bookkeeping: Bookkeeping = bookkeeping;

  constructor(
    private readonly options: RunnerOptions,
    carried: Partial<RunnerState> = {},
  ) {
    this.journeys = new Map((carried.journeys ?? []).map((j) => [j.id, j]));
    this.queues = new Map(Object.entries(carried.queued ?? {}));
    this.paused = new Set(carried.paused ?? []);
    this.recorded = new Map(Object.entries(carried.recorded ?? {}));
    this.history = [];
    this.remember(carried.history ?? []);
  }

  /** Adds journeys of earlier runs (carried, or read back from the store) to what re-entry rules see. */
  remember(earlier: readonly EarlierJourney[]): void {
    for (const h of earlier) {
      if (h.id !== undefined) {
        if (this.earlier.has(h.id) || this.journeys.has(h.id)) continue;
        this.earlier.add(h.id);
      }
      this.history.push(h);
    }
  }

  /** Whether this journey was ever started for the subject, in this run or an earlier one. */
  has(id: string): boolean {
    return this.journeys.has(id) || this.earlier.has(id);
  }

  /** Drives the journeys carried from the previous run. */
  start(): void {
    for (const id of this.journeys.keys()) this.launch(id);
  }

  /** True when no journey has anything left to do: the workflow may complete. */
  get idle(): boolean {
    return this.drivers.size === 0;
  }

  /** Earlier and current journeys in a playbook, for enrollment and re-entry rules. */
  /** The subject's journeys in a playbook, now and before; with `key`, only those about that value. */
  journeysIn(playbook: string, key?: string): { startedAt: string; active: boolean }[] {
    const about = (k: string | undefined) => key === undefined || k === key;
    return [
      ...this.history
        .filter((h) => h.playbook === playbook && about(h.key))
        .map((h) => ({ startedAt: h.startedAt, active: false })),
      ...[...this.journeys.values()]
        .filter((j) => j.definition.playbook === playbook && about(j.key))
        .map((j) => ({ startedAt: j.startedAt, active: !isOver(j) })),
    ];
  }

  /** Starts a journey: pins the definition in its state, mirrors it, and drives it. */
  async begin(
    id: string,
    definition: PlaybookDefinition,
    at: string,
    event: JourneyEvent | undefined,
    extra: {
      jobId?: string | undefined;
      /** The campaign that enrolled the candidate, and the contact class it puts the journey in. */
      campaignId?: string;
      contactClass?: string | undefined;
      context?: StepContext;
      failure?: string | undefined;
    } = {},
  ): Promise<void> {
    if (this.has(id)) return;
    const seed: JourneyState = {
      id,
      definition,
      status: 'running',
      startedAt: at,
      frames: [],
      awaiting: null,
      iterations: {},
      ...(extra.jobId ? { jobId: extra.jobId } : {}),
    };
    if (extra.context) this.contexts.set(extra.jobId ?? '', { at: Date.now(), value: extra.context });
    const ctx = this.withContacts(extra.context ?? (await this.contextFor(seed)));
    const started = startJourney(id, definition, at, ctx, {
      event,
      failure: extra.failure,
      consentAtDelivery: patched(CONSENT_AT_DELIVERY),
      // The first send already decides in the campaign's contact class.
      ...(extra.campaignId ? { campaign: { id: extra.campaignId, contactClass: extra.contactClass } } : {}),
    });
    const state: JourneyState = extra.jobId ? { ...started.state, jobId: extra.jobId } : started.state;
    this.journeys.set(id, state);
    this.queues.set(id, started.commands);
    await this.mirror(state, 'started');
    this.launch(id);
  }

  /** Offers an event to every running journey: exit rules and awaited events apply at once. */
  async route(event: JourneyEvent, at: string): Promise<void> {
    // An event may come with changes to the subject: read it again, once per job in scope.
    this.contexts.clear();
    const fresh = new Map<string, Promise<StepContext>>();
    for (const j of this.journeys.values()) {
      if (isOver(j)) continue;
      const key = j.jobId ?? '';
      if (!fresh.has(key)) fresh.set(key, this.options.context(j));
      const context = await fresh.get(key)!;
      this.contexts.set(key, { at: Date.now(), value: context });
      this.enqueue(j.id, await this.feed(j.id, { type: 'event', at, event }, context));
    }
  }

  /** Ends a journey from outside its playbook; an effect it has in flight is cancelled. */
  end(id: string, status: 'exited' | 'cancelled', reason: string): void {
    const j = this.journeys.get(id);
    if (!j || isOver(j)) return;
    this.journeys.set(id, endJourney(j, status, reason));
    this.afterChange(id);
  }

  summaries(): JourneySummary[] {
    return [...this.journeys.values()].map((j) => summarize(j, this.paused.has(j.id)));
  }

  summary(id: string): JourneySummary {
    return summarize(this.running(id, true), this.paused.has(id));
  }

  /** A journey that exists (and is not over, unless `ended` allows it), or a failure for the caller. */
  running(id: string, ended = false): JourneyState {
    const j = this.journeys.get(id);
    if (!j) throw refusal(Failure.NotFound, `journey ${id} is not in this workflow`);
    if (!ended && isOver(j)) throw refusal(Failure.Ended, `journey ${id} has already ended (${j.status})`);
    return j;
  }

  pause(id: string): void {
    this.running(id);
    this.paused.add(id);
  }

  resume(id: string): void {
    this.running(id);
    this.paused.delete(id);
  }

  migrate(id: string, definition: PlaybookDefinition, at: string): void {
    const moved = migrateJourney(this.running(id), definition, at);
    if (!moved.ok) throw refusal(moved.busy ? Failure.Busy : Failure.Conflict, moved.reason);
    this.journeys.set(id, moved.state);
  }

  /** Stops every driver at its next rest; afterwards `snapshot()` is the whole state. */
  async drain(): Promise<void> {
    this.draining = true;
    await condition(() => this.drivers.size === 0);
  }

  snapshot(): RunnerState {
    const journeys = [...this.journeys.values()];
    // Journeys whose end is recorded leave the state; their start stays for re-entry rules.
    const gone = journeys.filter((j) => isOver(j) && this.mirrored.get(j.id) === 'ended');
    const kept = journeys.filter((j) => !gone.includes(j));
    const keptIds = new Set(kept.map((j) => j.id));
    return {
      journeys: kept,
      queued: Object.fromEntries([...this.queues].filter(([id, q]) => q.length && keptIds.has(id))),
      paused: [...this.paused].filter((id) => keptIds.has(id)),
      recorded: Object.fromEntries([...this.recorded].filter(([key]) => keptIds.has(key.split('\n')[0]!))),
      history: [
        ...this.history,
        ...gone.map((j) => ({
          id: j.id,
          playbook: j.definition.playbook,
          startedAt: j.startedAt,
          ...(j.key !== undefined ? { key: j.key } : {}),
        })),
      ].slice(-500),
    };
  }

  private launch(id: string): void {
    if (this.drivers.has(id)) return;
    const driver = this.drive(id).finally(() => this.drivers.delete(id));
    this.drivers.set(id, driver);
  }

  private afterChange(id: string): void {
    if (isOver(this.journeys.get(id)!)) this.scopes.get(id)?.cancel();
    if (!this.draining) this.launch(id);
  }

  private enqueue(id: string, commands: Command[]): void {
    if (!commands.length && !isOver(this.journeys.get(id)!)) return;
    this.queues.set(id, [...(this.queues.get(id) ?? []), ...commands]);
    this.afterChange(id);
  }

  private async feed(id: string, input: Input, ctx?: StepContext): Promise<Command[]> {
    const context = this.withContacts(ctx ?? (await this.contextFor(this.journeys.get(id)!)));
    // Read the state only after the await: an event or an operation may have changed it meanwhile.
    const result = step(this.journeys.get(id)!, input, context);
    this.journeys.set(id, result.state);
    return result.commands;
  }

  private async drive(id: string): Promise<void> {
    const state = () => this.journeys.get(id)!;
    for (;;) {
      if (isOver(state())) {
        // The decisions that led here still go on the timeline; effects of an ended journey do not run.
        const records = (this.queues.get(id)?.splice(0) ?? []).filter((c) => c.type === 'record');
        // Workflows that started before these were recorded replay as they ran: without them.
        if (records.length && patched(RECORD_FINAL_DECISIONS))
          for (const command of records) await this.carryOut(id, command);
        await this.mirror(state(), 'ended');
        // A hold may have been this journey's, so sends the contact policy holds ask again.
        return this.releaseHeld();
      }
      if (this.paused.has(id)) {
        await this.mirror(state());
        if (this.draining) return;
        await condition(() => !this.paused.has(id) || isOver(state()) || this.draining);
        continue;
      }
      const command = this.queues.get(id)?.shift();
      if (command) {
        await this.carryOut(id, command);
        continue;
      }
      const resting = state();
      const awaiting = resting.awaiting;
      if (!awaiting || awaiting.kind === 'effect') return; // nothing to wait for (never at rest like this)
      await this.mirror(resting);
      if (this.draining) return;
      const timeout = Date.parse(awaiting.until) - Date.now();
      const woken =
        timeout > 0 &&
        (await condition(
          () =>
            isOver(state()) ||
            this.paused.has(id) ||
            this.draining ||
            (this.queues.get(id)?.length ?? 0) > 0 ||
            state() !== resting, // an event, a migration: look again
          timeout,
        ));
      if (!woken) this.enqueue(id, await this.feed(id, { type: 'timer', at: now() }));
    }
  }

  private async carryOut(id: string, command: Command): Promise<void> {
    const journey = this.journeys.get(id)!;
    switch (command.type) {
      case 'sleep':
      case 'waitFor':
      case 'end':
        return; // the state says what the journey waits for; the driver waits on it
      case 'record': {
        // Every decision goes on the timeline; the effect key makes a replayed record harmless.
        const key = `${id}\n${command.step}`;
        const iteration = (this.recorded.get(key) ?? 0) + 1;
        this.recorded.set(key, iteration);
        await this.bookkeeping.recordDecision({
          ...this.effectOf(id),
          step: command.step,
          iteration,
          what: command.what,
          detail: command.detail,
        });
        return;
      }
    }
    try {
      const result = await CancellationScope.cancellable(async () => {
        this.scopes.set(id, CancellationScope.current());
        return this.options.perform(journey, command);
      }).finally(() => this.scopes.delete(id));
      this.changed(command, result);
      const input: Input = { type: 'done', at: now(), step: command.step, ...(result ? { result } : {}) };
      this.enqueue(id, await this.feed(id, input));
      // A message that did not go no longer counts against the budget.
      if (command.type === 'send' && command.to === 'candidate' && result?.outcome !== 'sent')
        await this.releaseHeld();
    } catch (error) {
      if (isCancellation(error) && isOver(this.journeys.get(id)!)) {
        await this.options.abandoned?.(journey, command);
        return;
      }
      // An activity that failed for good (a template that does not render, a webhook refused) ends this
      // journey as failed, with the reason; the subject's other journeys go on.
      if (!(error instanceof ActivityFailure)) throw error;
      this.fail(id, `${command.step}: ${error.cause?.message ?? error.message}`);
    }
  }

  /**
   * The step context, read through the `context` activity at most once per change: events and updates
   * clear it, a sent message is added to it, and it is read again after CONTEXT_MAX_AGE_MS in case the
   * subject changed some other way.
   */
  private async contextFor(j: JourneyState): Promise<StepContext> {
    const key = j.jobId ?? '';
    const cached = this.contexts.get(key);
    if (this.cachesContext && cached && Date.now() - cached.at < CONTEXT_MAX_AGE_MS) return cached.value;
    const value = await this.options.context(j);
    this.contexts.set(key, { at: Date.now(), value });
    return value;
  }

  /**
   * The context with what the contact policy reads about the subject's other journeys, as they are at
   * this very moment: built after every await, so journeys deciding at once see each other's sends.
   */
  private withContacts(context: StepContext): StepContext {
    if (!context.policy) return context;
    return { ...context, contacts: ledgerOf(context.policy, this.journeys.values(), context.sentAt) };
  }

  /** Sends the contact policy holds ask again: something it reads changed. */
  private async releaseHeld(): Promise<void> {
    for (const j of [...this.journeys.values()]) {
      if (isOver(j) || j.awaiting?.kind !== 'timer' || j.awaiting.reason !== 'policy') continue;
      this.enqueue(j.id, await this.feed(j.id, { type: 'release', at: now() }));
    }
  }

  /** What an effect changed about the subject, for the cached context. */
  private changed(command: EffectCommand, result: EffectResult): void {
    if (command.type === 'update') this.contexts.clear();
    if (command.type === 'send' && result?.outcome === 'sent') {
      // The cap counts every message to the candidate, whichever journey sent it.
      for (const [key, c] of this.contexts)
        this.contexts.set(key, { ...c, value: { ...c.value, sentAt: [...c.value.sentAt, now()] } });
    }
  }

  /** Ends a journey that reached something it cannot do, saying what. */
  fail(id: string, reason: string): void {
    const j = this.journeys.get(id)!;
    if (!isOver(j)) this.journeys.set(id, endJourney(j, 'failed', reason));
  }

  /** Who an effect of this journey is about: its candidate, and the job in scope. */
  effectOf(id: string) {
    return {
      workflowId: this.workflowId,
      journeyId: id,
      candidateId: this.options.candidateId,
      jobId: this.journeys.get(id)?.jobId ?? null,
    };
  }

  private async mirror(j: JourneyState, transition?: 'started' | 'ended'): Promise<void> {
    const summary = summarize(j, this.paused.has(j.id));
    const key = transition === 'ended' ? 'ended' : JSON.stringify(summary);
    if (this.mirrored.get(j.id) === key) return;
    await this.bookkeeping.syncJourney({
      journey: {
        id: j.id,
        workflowId: this.workflowId,
        candidateId: this.options.candidateId,
        jobId: j.jobId ?? null,
        ...(j.campaignId ? { campaignId: j.campaignId } : {}),
        playbook: j.definition.playbook,
        version: j.definition.version,
        status: summary.status,
        currentStep: summary.currentStep,
        nextActionAt:
          summary.next?.kind === 'timer'
            ? summary.next.at
            : summary.next?.kind === 'event'
              ? summary.next.until
              : null,
        waitingFor:
          summary.next?.kind === 'timer'
            ? summary.next.reason
            : summary.next?.kind === 'event'
              ? 'event'
              : null,
        startedAt: j.startedAt,
        exitReason: j.exitReason ?? null,
        ...(j.key !== undefined ? { key: j.key } : {}),
      },
      transition,
    });
    this.mirrored.set(j.id, key);
  }
}

/** Queries and operations on a runner's journeys: pause, resume, cancel, migrate to another version. */
export function handleJourneyOperations(runner: JourneyRunner): void {
  setHandler(journeysQuery, () => runner.summaries());
  setHandler(journeyStateQuery, (id) => runner.journeys.get(id) ?? null);
  const validator = (op: JourneyOperation | MigrateRequest) => void runner.running(op.journeyId);
  const answer = (id: string) => runner.summary(id);
  setHandler(pauseJourneyUpdate, (op) => (runner.pause(op.journeyId), answer(op.journeyId)), { validator });
  setHandler(resumeJourneyUpdate, (op) => (runner.resume(op.journeyId), answer(op.journeyId)), { validator });
  setHandler(
    cancelJourneyUpdate,
    (op) => (runner.end(op.journeyId, 'cancelled', op.reason ?? 'cancelled'), answer(op.journeyId)),
    { validator },
  );
  setHandler(
    migrateJourneyUpdate,
    (op) => (runner.migrate(op.journeyId, op.definition, now()), answer(op.journeyId)),
    { validator },
  );
}

export const now = () => new Date(Date.now()).toISOString();
