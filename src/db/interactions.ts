// The timeline: one row per interaction with a candidate.
import type { Db as Tx } from './client.js';

export interface NewInteraction {
  candidateId: string | null;
  jobId?: string | null | undefined;
  kind: string;
  summary: string;
  journeyId?: string | undefined;
  step?: string | undefined;
  messageId?: string | undefined;
  eventId?: string | undefined;
  data?: Record<string, unknown>;
}

export async function recordInteraction(tx: Tx, i: NewInteraction): Promise<void> {
  await tx`
    insert into interactions (candidate_id, job_id, kind, summary, journey_id, step, message_id, event_id, data)
    values (${i.candidateId}, ${i.jobId ?? null}, ${i.kind}, ${i.summary}, ${i.journeyId ?? null}, ${i.step ?? null}, ${i.messageId ?? null},
      ${i.eventId ?? null},
      ${tx.json((i.data ?? {}) as never)})`;
}
