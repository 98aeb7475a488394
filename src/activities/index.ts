// Activities, built by a factory with their dependencies injected. Workflows reach them only through
// `proxyActivities<Activities>()` with a type import.
import { candidateWorkflowId, Failure, refusal, SEEN_EVENTS_KEPT } from '../../workflows/contract.js';
import { Context } from '@temporalio/activity';
import type { Sql } from '../db/client.js';
import { isUuid } from '../domain.js';
import { recordTimeline, stepKey, type Decision } from '../db/timeline.js';
import { candidateMemory, rememberHandled, upsertJourney, type JourneyMirror } from '../db/journeys.js';
import { getJob } from '../db/jobs.js';
import { applyUpdate, createTask, loadStepContext, PoolIsSmart } from '../db/subjects.js';
import type { ContactPolicy, OrgContent, PlaybookDefinition } from '../interpreter/index.js';
import type { Mailer } from '../mail/mailer.js';
import type { SmsProvider } from '../sms/provider.js';
import type { LinkSigner } from '../links/tokens.js';
import type { TemplateEngine } from '../templates/engine.js';
import type { FindQuery } from '../db/find.js';
import { closeJob, enrollCandidates, find, type JobEffect, type TemporalDeps } from './jobs.js';
import { send, settleSend } from './send.js';
import { sendAgain } from './send-again.js';
import type { EffectInput, SendAgainInput, SendInput, StepEffect } from '../../workflows/contract.js';
import { callWebhook, shownUrl, webhookSummary } from './webhook.js';
import { enrichSourcePayload, sourcePayloadFailed } from './source-payload.js';
import type { ReasonKind } from '../db/source-payloads.js';
import { createLogger, type Logger } from '../log.js';
import { claimEnrollment, type CampaignStatus } from '../db/campaigns.js';
import { enrollCampaignBatch, prepareCampaign, recordCampaignStatus, type BatchInput } from './campaigns.js';

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
  /** The contact policy (pipelines/policy.yaml) every candidate's sends obey, if there is one. */
  policy?: ContactPolicy | undefined;
  mailFrom: string;
  /** The organisation templates see as `org` (pipelines/org.yaml). */
  org: OrgContent;
  /** For activities that signal other workflows (a job enrolling candidates). */
  temporal: TemporalDeps;
  /** Where activities log what nobody waits for (a source payload that failed); silent when unset. */
  log?: Logger;
}

export function createActivities(deps: ActivityDeps) {
  const enrichDeps = { sql: deps.sql, temporal: deps.temporal, log: deps.log ?? createLogger('silent') };
  return {
    /** Takes a campaign's pool members as they are when it starts (once). */
    prepareCampaign: (input: { campaignId: string }) => prepareCampaign(deps, input),

    /** Enrolls (or skips, with reasons) a campaign's next members at its rate. */
    enrollCampaignBatch: (input: BatchInput) => {
      const context = Context.current();
      return enrollCampaignBatch(deps, input, {
        heartbeat: () => context.heartbeat(),
        signal: context.cancellationSignal,
      });
    },

    recordCampaignStatus: (input: { campaignId: string; status: CampaignStatus }) =>
      recordCampaignStatus(deps, input),

    /** A candidate's workflow claims its campaign enrollment (true: start the journey), or records a skip. */
    claimCampaignEnrollment: (input: {
      campaignId: string;
      candidateId: string;
      runId: string;
      skip?: string;
    }) => claimEnrollment(deps.sql, input),

    /** Reads the vendor's API for a stored source payload, maps it and accepts its event. */
    enrichSourcePayload: (input: { payloadId: string }) => enrichSourcePayload(enrichDeps, input),

    /** A source payload's enrichment failed for good: recorded where people see it. */
    sourcePayloadFailed: (input: { payloadId: string; kind: ReasonKind; reason: string }) =>
      sourcePayloadFailed(enrichDeps, input),

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

    /** Sends a message whose delivery was unknown again, once, as a recruiter asked. */
    sendAgain: (input: SendAgainInput) => {
      const context = Context.current();
      return sendAgain(deps, input, { heartbeat: () => context.heartbeat() });
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
        key: stepKey(input),
        url: input.url,
        method: input.method,
        headers: input.headers,
        body: input.body,
      };
      const result = await callWebhook(call);
      await recordTimeline(deps.sql, {
        kind: 'webhook.called',
        at: input,
        summary: webhookSummary(call, result),
        status: result.status,
        url: shownUrl(call),
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
     * the cap and the contact policy), the contact policy, and the job in scope, if any.
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
      const policy = deps.policy ? { policy: deps.policy } : {};
      return { ...context, channels, ...policy, ...(job ? { job: { ...job } } : {}) };
    },

    /**
     * Records why the interpreter decided something on the timeline: a send suppressed (no consent,
     * unsubscribed), a branch taken and the value that chose it, an awaited event received, a wait that
     * timed out.
     */
    async recordDecision(input: StepEffect & { what: Decision; detail: Record<string, unknown> }) {
      await recordTimeline(deps.sql, { kind: 'decision', what: input.what, at: input, data: input.detail });
    },

    async update(input: EffectInput<'update'> & { candidateId: string }) {
      await deps.sql
        .begin(async (tx) => {
          await applyUpdate(tx, input.candidateId, input);
          await recordTimeline(tx, {
            kind: 'candidate.updated',
            at: input,
            data: { set: input.set, tags: input.tags, ...(input.pools ? { pools: input.pools } : {}) },
          });
        })
        .catch((error: unknown) => {
          throw error instanceof PoolIsSmart ? refusal(Failure.Invalid, error.message) : error;
        });
    },

    async task(input: EffectInput<'task'> & { candidateId: string }) {
      await deps.sql.begin(async (tx) => {
        const task = await createTask(tx, { key: stepKey(input), ...input });
        if (task.created)
          await recordTimeline(tx, { kind: 'task.created', at: input, title: input.title, task: task.id });
      });
    },

    /**
     * What a new run of a candidate's workflow remembers of the earlier ones: their journeys (re-entry
     * rules, no journey twice) and the events that already reached them (each event once).
     */
    candidateMemory: (input: { candidateId: string }) =>
      candidateMemory(deps.sql, input.candidateId, candidateWorkflowId(input.candidateId), SEEN_EVENTS_KEPT),

    /** As a run ends: the events it took in, which a later run then ignores if they come again. */
    rememberHandled: (input: { candidateId: string; eventIds: string[] }) =>
      rememberHandled(deps.sql, input.candidateId, input.eventIds.filter(isUuid)),

    /** Keeps the journeys table in step with the workflow, and records starts and ends on the timeline. */
    async syncJourney(input: { journey: JourneyMirror; transition?: 'started' | 'ended' }): Promise<void> {
      const j = input.journey;
      await deps.sql.begin(async (tx) => {
        await upsertJourney(tx, j);
        if (input.transition)
          await recordTimeline(tx, {
            kind: `journey.${input.transition}`,
            candidateId: j.candidateId,
            jobId: j.jobId ?? null,
            journeyId: j.id,
            playbook: j.playbook,
            version: j.version,
            status: j.status,
            reason: j.exitReason ?? null,
          });
      });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
