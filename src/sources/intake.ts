// What becomes of a verified source payload — in the webhook request, and again when `rapport sources
// replay` retries what was kept. A rule that maps it without reads makes an event at once; a rule with
// reads stores it and starts its enrichment (workflows/source-payload.ts), so the request never waits for
// the vendor's API; a payload no rule maps, or one that maps to an invalid event, is kept 30 days and counted.
import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { EventInput } from '../domain.js';
import { acceptEvent, isIgnored, type Accepted, type Ignored, type IntakeDeps } from '../intake/accept.js';
import type { SourceMapping } from '../playbook/sources.js';
import { validate } from '../schemas/index.js';
import {
  forgetPayload,
  keepForEnrichment,
  keepUnmapped,
  markFailed,
  markMapped,
  markStarted,
  type ReasonKind,
} from '../db/source-payloads.js';
import { SOURCE_PAYLOAD_WORKFLOW, sourcePayloadWorkflowId } from '../../workflows/contract.js';
import { mapEvent, matchRule, ruleEventId, type SourceScope } from './webhook.js';

export interface SourceIntakeDeps extends IntakeDeps {
  taskQueue: string;
}

export type PayloadOutcome =
  | { kind: 'accepted'; accepted: Accepted | Ignored }
  | { kind: 'enriching'; payloadId: string; duplicate: boolean }
  | { kind: 'unmapped'; payloadId: string; reasonKind: ReasonKind; reason: string };

export type Mapped =
  { ok: true; event: EventInput } | { ok: false; reasonKind: 'invalid-event'; reason: string };

/** The rule's event, validated: an invalid one names each field it could not fill. */
export function checkedEvent(mapping: SourceMapping, rule: number, scope: SourceScope): Mapped {
  const mapped = mapEvent(mapping, mapping.events[rule]!, scope);
  const checked = validate<EventInput>('event.schema.json', { ...mapped, source: mapping.source });
  if (checked.ok) return { ok: true, event: checked.value };
  return {
    ok: false,
    reasonKind: 'invalid-event',
    reason: `the ${mapping.source} payload gave an invalid event: ${checked.errors
      .map((e) => `${e.pointer} ${e.message}`)
      .join('; ')}`,
  };
}

/**
 * Takes a verified payload. A replay names the kept row it retries, which is updated instead of a new
 * one being kept.
 */
export async function takePayload(
  deps: SourceIntakeDeps,
  mapping: SourceMapping,
  scope: SourceScope,
  options: {
    /** The kept row a replay retries. */
    replacing?: string;
    /** Resolve only once a stored payload's enrichment has started (or could not be). */
    waitForStart?: boolean;
  } = {},
): Promise<PayloadOutcome> {
  const { replacing } = options;
  const unmapped = async (reasonKind: ReasonKind, reason: string): Promise<PayloadOutcome> => {
    if (replacing) await markFailed(deps.sql, replacing, 'unmapped', reasonKind, reason, { count: false });
    const payloadId =
      replacing ??
      (await keepUnmapped(deps.sql, {
        source: mapping.source,
        headers: scope.headers,
        payload: scope.payload,
        kind: reasonKind,
        reason,
      }));
    return { kind: 'unmapped', payloadId, reasonKind, reason };
  };

  const rule = matchRule(mapping, scope);
  if (rule === undefined) return unmapped('no-rule', `no rule of ${mapping.source} matches this payload`);
  if (mapping.events[rule]!.reads) {
    const eventKey = ruleEventId(mapping.events[rule]!, scope) ?? payloadDigest(scope.payload);
    const kept = await keepForEnrichment(deps.sql, {
      source: mapping.source,
      eventKey,
      headers: scope.headers,
      payload: scope.payload,
      mapping,
      rule,
      ...(replacing ? { replacing } : {}),
    });
    if (kept.created) {
      const started = startEnrichment(deps, kept.id);
      // The request does not wait for Temporal (the sweep starts what this could not); a replay does.
      if (options.waitForStart) await started;
    }
    return { kind: 'enriching', payloadId: kept.id, duplicate: !kept.created };
  }
  const mapped = checkedEvent(mapping, rule, scope);
  if (!mapped.ok) return unmapped(mapped.reasonKind, mapped.reason);
  // Without an id from the rule, the payload itself names the event: the same payload again (a retry, a
  // re-signed retry, or a captured request replayed) is one event.
  const accepted = await acceptEvent(deps, {
    ...mapped.event,
    id: mapped.event.id ?? payloadDigest(scope.payload),
  });
  if (replacing)
    await (isIgnored(accepted)
      ? forgetPayload(deps.sql, replacing) // it names a person erased since: nothing of it is kept
      : markMapped(deps.sql, replacing, accepted.event_id));
  return { kind: 'accepted', accepted };
}

/**
 * Starts a stored payload's enrichment workflow; resolves once it is started (or was already). When
 * Temporal cannot be reached the payload stays stored, not started, for the sweep
 * (src/sources/enrichment-sweep.ts) to start.
 */
export async function startEnrichment(deps: SourceIntakeDeps, payloadId: string): Promise<boolean> {
  try {
    await deps.temporal.workflow
      .start(SOURCE_PAYLOAD_WORKFLOW, {
        workflowId: sourcePayloadWorkflowId(payloadId),
        taskQueue: deps.taskQueue,
        args: [{ payloadId }],
      })
      .catch((error: unknown) => {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      });
    await markStarted(deps.sql, payloadId);
    return true;
  } catch (error) {
    deps.log.warn(
      { err: error, payloadId },
      'starting a source payload enrichment failed; the sweep retries',
    );
    return false;
  }
}

/** A payload's own name: the digest of its JSON (the same for the same payload, however often sent). */
export function payloadDigest(payload: unknown): string {
  return createHash('sha256').update(JSON.stringify(payload)).digest('hex');
}
