// POST /v1/events: store the event (idempotent by source and id), upsert its candidate, and deliver it
// to the candidate's workflow with signal-with-start.
import { Hono } from 'hono';
import { randomUUID } from 'node:crypto';
import { upsertCandidate } from '../db/candidates.js';
import { insertEvent, isDelivered, markDelivered } from '../db/events.js';
import { recordInteraction } from '../db/interactions.js';
import type { CandidateEvent, EventInput } from '../domain.js';
import type { candidateWorkflow } from '../../workflows/candidate.js';
import { candidateWorkflowId, eventSignal } from '../../workflows/messages.js';
import type { ApiDeps } from './deps.js';
import { jsonBody } from './body.js';

export function eventsRoutes(deps: ApiDeps) {
  return new Hono().post('/', async (c) => {
    const input = await jsonBody<EventInput>(c, 'event.schema.json');
    const candidate = {
      ...input.candidate,
      // Applying is asking to hear back: an applicant may be emailed about the application unless told otherwise.
      consent:
        input.type === 'candidate.applied'
          ? { ...input.candidate.consent, email: input.candidate.consent?.email ?? true }
          : input.candidate.consent,
    };
    const stored = await deps.sql.begin(async (tx) => {
      const candidateId = await upsertCandidate(tx, candidate, input.source);
      const event = await insertEvent(tx, {
        source: input.source,
        sourceEventId: input.id ?? randomUUID(),
        type: input.type,
        candidateId,
        data: input.data ?? {},
        occurredAt: input.occurred_at,
      });
      if (event.created) {
        await recordInteraction(tx, {
          candidateId,
          kind: 'event',
          summary: input.type,
          eventId: event.id,
          data: { type: input.type, source: input.source, data: input.data ?? {} },
        });
      }
      return { candidateId, event };
    });

    const workflowId = candidateWorkflowId(stored.candidateId);
    // A retried event whose first delivery failed (Temporal unreachable) is delivered now.
    if (stored.event.created || !(await isDelivered(deps.sql, stored.event.id))) {
      const message: CandidateEvent = {
        id: stored.event.id,
        type: input.type,
        source: input.source,
        occurred_at: stored.event.occurred_at,
        data: input.data ?? {},
      };
      await deps.temporal.workflow.signalWithStart<typeof candidateWorkflow, [CandidateEvent]>(
        'candidateWorkflow',
        {
          workflowId,
          taskQueue: deps.taskQueue,
          args: [{ candidateId: stored.candidateId }],
          signal: eventSignal,
          signalArgs: [message],
        },
      );
      await markDelivered(deps.sql, stored.event.id);
    }
    return c.json(
      {
        event_id: stored.event.id,
        candidate_id: stored.candidateId,
        workflow_id: workflowId,
        duplicate: !stored.event.created,
      },
      202,
    );
  });
}
