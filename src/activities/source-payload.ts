// The enrichment of a stored source payload (workflows/source-payload.ts): read the vendor's API as the
// rule says, map, accept the event like any other. A transient failure is thrown for the workflow's
// retries; one that will not mend is a non-retryable failure of a shared type. When the workflow gives
// up, `sourcePayloadFailed` records it: on the payload (attention list, /metrics) and, when the candidate
// is already known, on their timeline.
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Db, Sql } from '../db/client.js';
import { forgetPayload, getPayload, markFailed, markMapped, type ReasonKind } from '../db/source-payloads.js';
import { recordTimeline } from '../db/timeline.js';
import { createEventDelivery } from '../intake/event-delivery.js';
import { acceptEvent, isIgnored } from '../intake/accept.js';
import { checkedEvent } from '../sources/intake.js';
import { ReadFailed, runReads } from '../sources/vendor-api.js';
import { mapEvent, type SourceScope } from '../sources/webhook.js';
import { Failure, refusal } from '../../workflows/contract.js';
import type { SourceMapping } from '../playbook/sources.js';

export interface EnrichDeps {
  sql: Sql;
  temporal: { client: Client; taskQueue: string };
  log: Logger;
}

export async function enrichSourcePayload(
  deps: EnrichDeps,
  input: { payloadId: string },
): Promise<{ eventId?: string }> {
  const row = await getPayload(deps.sql, input.payloadId);
  // Gone (30 days later), or finished by an earlier attempt whose answer was lost.
  if (!row || row.status !== 'enriching' || !row.mapping || row.rule === null) return {};
  const mapping = row.mapping;
  const rule = mapping.events[row.rule];
  if (!rule) throw refusal(Failure.SourceEventInvalid, `the mapping has no rule ${row.rule}`);
  const scope: SourceScope = { payload: row.payload, headers: row.headers };
  let reads: Record<string, unknown>;
  try {
    reads = await runReads(mapping, rule, scope, process.env);
  } catch (error) {
    if (error instanceof ReadFailed && error.permanent)
      throw refusal(Failure.SourceReadFailed, error.message);
    throw error;
  }
  const mapped = checkedEvent(mapping, row.rule, { ...scope, reads });
  if (!mapped.ok) throw refusal(Failure.SourceEventInvalid, mapped.reason);
  // The event reaches its workflow through a queue of this activity's own; what it leaves undelivered
  // (a crash) the API's sweep delivers.
  const delivery = createEventDelivery({
    sql: deps.sql,
    temporal: deps.temporal.client,
    taskQueue: deps.temporal.taskQueue,
    log: deps.log,
  });
  try {
    // The delivery's key names the event when the rule gives no id: a retried attempt is the same event.
    const event = { ...mapped.event, id: mapped.event.id ?? row.event_key ?? row.id };
    const accepted = await acceptEvent({ ...deps, temporal: deps.temporal.client, delivery }, event);
    if (isIgnored(accepted)) {
      // It names a person erased after it happened: nothing of it is kept.
      await forgetPayload(deps.sql, row.id);
      return {};
    }
    await markMapped(deps.sql, row.id, accepted.event_id);
    return { eventId: accepted.event_id };
  } finally {
    await delivery.stop(30_000);
  }
}

export async function sourcePayloadFailed(
  deps: EnrichDeps,
  input: { payloadId: string; kind: ReasonKind; reason: string },
): Promise<void> {
  const row = await getPayload(deps.sql, input.payloadId);
  if (!row || row.status !== 'enriching') return;
  deps.log.warn({ payloadId: row.id, source: row.source, reason: input.reason }, 'source payload failed');
  // The timeline first: once the payload reads as failed, everything about the failure is written.
  const candidateId =
    row.mapping &&
    row.rule !== null &&
    (await knownCandidate(deps.sql, row.source, row.mapping, row.rule, {
      payload: row.payload,
      headers: row.headers,
    }));
  if (candidateId)
    await recordTimeline(deps.sql, {
      kind: 'source.failed',
      candidateId,
      payloadId: row.id,
      source: row.source,
      reason: input.reason,
    });
  await markFailed(deps.sql, input.payloadId, 'failed', input.kind, input.reason);
}

/** The candidate the payload is about, when what it says without reads names someone Rapport knows. */
async function knownCandidate(
  db: Db,
  source: string,
  mapping: SourceMapping,
  rule: number,
  scope: SourceScope,
): Promise<string | undefined> {
  let candidate: { email?: string; external_id?: string };
  try {
    candidate = mapEvent(mapping, mapping.events[rule]!, { ...scope, reads: {} })
      .candidate as typeof candidate;
  } catch {
    return undefined;
  }
  const [row] = await db<{ id: string }[]>`
    select candidate_id as id from candidate_external_ids
    where source = ${source} and external_id = ${candidate.external_id ?? ''}
    union all
    select id from candidates
    where email_normalized = lower(btrim(${candidate.email ?? ''})) and erased_at is null
    limit 1`;
  return row?.id;
}
