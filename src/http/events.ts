// POST /v1/events: one event or a batch, checked against its schema, accepted (src/intake/accept.ts:
// stored with its subject, answered 202) and delivered to the subject's workflow right after.
import type { EventInput } from '../domain.js';
import { acceptEvent, type Accepted, type Ignored } from '../intake/accept.js';
import { operation } from './operation.js';

export const eventOperations = [
  operation<object, EventInput | EventInput[]>({
    method: 'post',
    path: '/v1/events',
    summary: 'Post a candidate or job event, or a batch of up to 100',
    access: { scope: 'events:write' },
    body: {
      json: ['event.schema.json', 'event-batch.schema.json'],
      choose: (data) => (Array.isArray(data) ? 'event-batch.schema.json' : 'event.schema.json'),
    },
    answers: {
      202: {
        description:
          'Stored; delivered to its workflow right after (duplicate: true when the source and id were seen); or not taken (ignored: true, nothing stored) when it happened before the erasure of the candidate it names',
        schema: 'event-accepted.schema.json',
        links: {
          candidate: { to: 'get /v1/candidates/{id}', with: { id: '$response.body#/candidate_id' } },
        },
      },
      503: {
        description: 'Too many events wait for the workflow service; nothing stored, retry after Retry-After',
        headers: { 'Retry-After': 'Seconds to wait' },
      },
    },
    async handle(c, { body }, deps) {
      deps.delivery!.admit();
      if (!Array.isArray(body)) return c.json(await acceptEvent(deps, body), 202);
      // A batch: every event was checked above; each is then accepted as if posted alone, in order.
      const events: (Accepted | Ignored)[] = [];
      for (const input of body) events.push(await acceptEvent(deps, input));
      return c.json({ events }, 202);
    },
  }),
];
