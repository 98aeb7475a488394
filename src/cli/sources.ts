// `rapport sources replay <source> [--since <when>]`: takes again, with the source's mapping as it is now,
// every payload of the source kept because no rule mapped it (or its enrichment failed), received since
// `when` (an ISO date-time, or a duration back from now: 7d, 12h). Each becomes an event, starts its
// enrichment, or stays kept with its new reason; an event already accepted is not accepted twice.
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Sql } from '../db/client.js';
import { isIgnored } from '../intake/accept.js';
import { KEEP_DAYS, replayable } from '../db/source-payloads.js';
import { createEventDelivery } from '../intake/event-delivery.js';
import type { SourceMapping } from '../playbook/sources.js';
import { takePayload } from '../sources/intake.js';
import { UsageError } from './pipelines.js';

export interface ReplayTally {
  payloads: number;
  /** Became new events / were events already. */
  accepted: number;
  duplicates: number;
  /** Payloads naming a person erased after they were sent: forgotten. */
  erased: number;
  enriching: number;
  unmapped: { id: string; received_at: Date; reason: string }[];
}

const DURATION = /^(\d+)([dhm])$/;

/** `--since`: an ISO date-time, or a duration back from `now`. */
export function parseSince(text: string | undefined, now = new Date()): Date | undefined {
  if (text === undefined) return undefined;
  const duration = DURATION.exec(text);
  if (duration) {
    const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[duration[2] as 'd' | 'h' | 'm'];
    return new Date(now.getTime() - Number(duration[1]) * unit);
  }
  const at = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(at.getTime()))
    throw new UsageError(
      `--since ${text}: give an ISO date-time (2026-11-30T09:00:00Z) or a duration (7d, 12h, 30m)`,
    );
  return at;
}

export async function replaySource(
  deps: { sql: Sql; temporal: Client; taskQueue: string; log: Logger },
  mapping: SourceMapping,
  since: Date | undefined,
): Promise<ReplayTally> {
  const delivery = createEventDelivery({ ...deps, log: deps.log });
  const tally: ReplayTally = {
    payloads: 0,
    accepted: 0,
    duplicates: 0,
    erased: 0,
    enriching: 0,
    unmapped: [],
  };
  try {
    for (const row of await replayable(deps.sql, mapping.source, since)) {
      tally.payloads++;
      let outcome: Awaited<ReturnType<typeof takePayload>>;
      try {
        outcome = await takePayload(
          { ...deps, delivery },
          mapping,
          { payload: row.payload, headers: row.headers },
          { replacing: row.id, waitForStart: true },
        );
      } catch (error) {
        // One payload that cannot be taken (the database refusing it, say) does not stop the others.
        tally.unmapped.push({ id: row.id, received_at: row.received_at, reason: (error as Error).message });
        continue;
      }
      if (outcome.kind === 'accepted') {
        if (isIgnored(outcome.accepted)) tally.erased++;
        else if (outcome.accepted.duplicate) tally.duplicates++;
        else tally.accepted++;
      } else if (outcome.kind === 'enriching') tally.enriching++;
      else tally.unmapped.push({ id: row.id, received_at: row.received_at, reason: outcome.reason });
    }
  } finally {
    // What the queue has not delivered by then, the API's sweep delivers.
    await delivery.stop(30_000);
  }
  return tally;
}

export function describeReplay(source: string, since: Date | undefined, tally: ReplayTally): string[] {
  const window = since ? `since ${since.toISOString()}` : `in the last ${KEEP_DAYS} days`;
  if (!tally.payloads) return [`no kept ${source} payloads ${window}`];
  return [
    ...tally.unmapped.map((u) => `still unmapped: ${u.id} (${u.received_at.toISOString()}): ${u.reason}`),
    `replayed ${tally.payloads} ${source} payload(s) kept ${window}: ${tally.accepted} became events, ` +
      `${tally.duplicates} already were, ${tally.enriching} being enriched, ${tally.unmapped.length} still unmapped` +
      (tally.erased ? `, ${tally.erased} forgotten (their candidate was erased since)` : ''),
  ];
}
