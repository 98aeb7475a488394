// Activities, built by a factory with their dependencies injected. Workflows reach them only through
// `proxyActivities<Activities>()` with a type import.
import { Failure, refusal } from '../../workflows/contract.js';
import { Context } from '@temporalio/activity';
import type { Db, Sql } from '../db/client.js';
import { recordInteraction } from '../db/interactions.js';
import { upsertJourney, type JourneyMirror } from '../db/journeys.js';
import { getJob } from '../db/jobs.js';
import { applyUpdate, createTask, loadStepContext } from '../db/subjects.js';
import type { PlaybookDefinition } from '../interpreter/index.js';
import type { Mailer } from '../mail/mailer.js';
import type { SmsProvider } from '../sms/provider.js';
import type { LinkSigner } from '../links/tokens.js';
import type { TemplateEngine } from '../templates/engine.js';
import type { FindQuery } from '../db/find.js';
import { closeJob, enrollCandidates, find, type JobEffect, type TemporalDeps } from './jobs.js';
import { send, settleSend } from './send.js';
import type { EffectInput, SendInput, StepEffect } from '../../workflows/contract.js';
import { callWebhook, webhookSummary } from './webhook.js';

export interface ActivityDeps {
  sql: Sql;
  templates: TemplateEngine;
  mailer: Mailer | undefined;
  /** SMS through the webhook provider, when SMS_WEBHOOK_URL is set. */
  sms: SmsProvider | undefined;
  /** Unsubscribe links in every email (List-Unsubscribe). */
  links?: { publicUrl: string; signer: LinkSigner } | undefined;
  /** The playbooks new enrollments use (the latest published versions), keyed by id. */
  playbooks: () => Promise<ReadonlyMap<string, PlaybookDefinition>>;
  mailFrom: string;
  orgName: string;
  /** For activities that signal other workflows (a job enrolling candidates). */
  temporal: TemporalDeps;
}

export function createActivities(deps: ActivityDeps) {
  return {
    /** The playbooks an event of this type enrolls a candidate (or a job) into, pinned as they are now. */
    async enrollments(input: {
      eventType: string;
      for?: 'candidate' | 'job';
    }): Promise<PlaybookDefinition[]> {
      return [...(await deps.playbooks()).values()].filter(
        (p) => (p.for ?? 'candidate') === (input.for ?? 'candidate') && p.enroll.on.includes(input.eventType),
      );
    },

    send: (input: SendInput) => {
      const context = Context.current();
      return send(deps, input, { heartbeat: () => context.heartbeat() });
    },

    /** After a journey ended with its send in flight: makes sure the message is never sent later. */
    settleSend: (input: SendInput) => {
      const context = Context.current();
      return settleSend(deps, input, { heartbeat: () => context.heartbeat() });
    },

    /** Rediscovers candidates for a job (`find` steps). */
    find: (input: JobEffect & { query: FindQuery }) => find(deps.sql, input),

    /** Enrolls found candidates into a playbook with the job in scope. */
    enrollCandidates: (input: JobEffect & { playbook: string; candidates: string[] }) =>
      enrollCandidates(deps.temporal, input),

    /** Ends, in every candidate's workflow, the journeys a closed job started. */
    closeJob: (input: { jobId: string; eventId: string }) => closeJob(deps.sql, deps.temporal, input),

    /** Calls an external system for a `webhook` step, once per step iteration (Idempotency-Key). */
    async webhook(input: EffectInput<'webhook'>) {
      const call = {
        key: effectKey(input),
        url: input.url,
        method: input.method,
        headers: input.headers,
        body: input.body,
      };
      const result = await callWebhook(call);
      await recordOnce(deps.sql, input, 'webhook.called', webhookSummary(call, result), {
        status: result.status,
        url: input.url,
      });
      return result;
    },

    /** The latest published version of a playbook, for `enroll` steps. */
    async playbook(input: { id: string }): Promise<PlaybookDefinition> {
      const definition = (await deps.playbooks()).get(input.id);
      if (!definition) throw refusal(Failure.NotFound, `playbook ${input.id} is not published`);
      return definition;
    },

    /**
     * What a step reads: the candidate as expressions see it and when they were last sent messages (for
     * the cap), and the job in scope, if any.
     */
    async stepContext(input: { candidateId?: string | null; jobId?: string }) {
      const job = input.jobId ? await getJob(deps.sql, input.jobId) : undefined;
      if (input.jobId && !job) throw refusal(Failure.NotFound, `job ${input.jobId} not found`);
      // A send without a channel takes its template's: the interpreter reads them here.
      const channels = deps.templates.channels();
      if (!input.candidateId)
        return { candidate: {}, sentAt: [], channels, ...(job ? { job: { ...job } } : {}) };
      const context = await loadStepContext(deps.sql, input.candidateId);
      if (!context) throw refusal(Failure.NotFound, `candidate ${input.candidateId} not found`);
      return { ...context, channels, ...(job ? { job: { ...job } } : {}) };
    },

    /**
     * Records why the interpreter decided something on the timeline: a send suppressed (no consent,
     * unsubscribed), a branch taken and the value that chose it, an awaited event received, a wait that
     * timed out.
     */
    async recordDecision(input: StepEffect & { what: string; detail: Record<string, unknown> }) {
      const detail = input.detail;
      const summary =
        input.what === 'suppressed'
          ? `Not sent (${String(detail.reason)}): ${String(detail.template)}`
          : input.what === 'branch'
            ? `Took ${String(detail.taken)} at ${input.step}: ${String(detail.if)} was ${JSON.stringify(detail.value)}`
            : input.what === 'received'
              ? `Received ${String(detail.event)} at ${input.step}`
              : `Stopped waiting at ${input.step}`;
      const kind = input.what === 'suppressed' ? 'message.suppressed' : `journey.${input.what}`;
      await recordOnce(deps.sql, input, kind, summary, detail);
    },

    async update(input: EffectInput<'update'> & { candidateId: string }) {
      await deps.sql.begin(async (tx) => {
        await applyUpdate(tx, input.candidateId, input);
        await recordOnce(tx, input, 'candidate.updated', 'Updated by the playbook', {
          set: input.set,
          tags: input.tags,
        });
      });
    },

    async task(input: EffectInput<'task'> & { candidateId: string }) {
      await deps.sql.begin(async (tx) => {
        const task = await createTask(tx, { key: effectKey(input), ...input });
        if (task.created)
          await recordOnce(tx, input, 'task.created', `Task: ${input.title}`, { task: task.id });
      });
    },

    /** Keeps the journeys table in step with the workflow, and records starts and ends on the timeline. */
    async syncJourney(input: { journey: JourneyMirror; transition?: 'started' | 'ended' }): Promise<void> {
      const j = input.journey;
      await deps.sql.begin(async (tx) => {
        await upsertJourney(tx, j);
        const kind = `journey.${input.transition}`;
        const [seen] = input.transition
          ? await tx`select 1 from interactions where journey_id = ${j.id} and kind = ${kind} limit 1`
          : [true];
        if (input.transition && !seen) {
          await recordInteraction(tx, {
            candidateId: j.candidateId,
            jobId: j.jobId,
            kind,
            summary:
              input.transition === 'started'
                ? `Enrolled in ${j.playbook} v${j.version}`
                : `Left ${j.playbook} (${j.exitReason ?? j.status})`,
            journeyId: j.id,
            data: { playbook: j.playbook, version: j.version, status: j.status, reason: j.exitReason },
          });
        }
      });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

function effectKey(e: StepEffect): string {
  return `${e.workflowId}/${e.journeyId}/${e.step}/${e.iteration}`;
}

/** Records a timeline entry for an effect unless a retry of the same effect already did. */
async function recordOnce(
  tx: Db,
  e: StepEffect,
  kind: string,
  summary: string,
  data: Record<string, unknown>,
) {
  const key = effectKey(e);
  const [seen] = await tx`select 1 from interactions where data->>'effect' = ${key} limit 1`;
  if (seen) return;
  await recordInteraction(tx, {
    candidateId: e.candidateId,
    jobId: e.jobId,
    kind,
    summary,
    journeyId: e.journeyId,
    step: e.step,
    data: { ...data, effect: key },
  });
}
