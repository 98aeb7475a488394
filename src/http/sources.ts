// POST /v1/sources/{source}/webhook: a job board or an ATS posts its own payload, signed with the
// source's secret (no API key). The signature is checked over the raw body (and timestamp), the payload
// mapped to an event by pipelines/sources/<source>.yaml, and the event accepted like POST /v1/events —
// so a webhook delivered twice is one event. A payload no rule maps is acknowledged and ignored.
import { firstDelivery } from '../db/webhook-deliveries.js';
import type { EventInput } from '../domain.js';
import { validate } from '../schemas/index.js';
import { mapPayload, REPLAY_WINDOW_S, verifySignature } from '../sources/webhook.js';
import { operation } from './operation.js';
import { acceptEvent } from '../intake/accept.js';
import { Problem } from './problem.js';

export const sourceOperations = [
  operation({
    method: 'post',
    path: '/v1/sources/{source}/webhook',
    summary: 'A job board or ATS webhook, mapped to an event by pipelines/sources/<source>.yaml',
    description: 'Signed with the source secret (HMAC-SHA256 over the raw body); no API key.',
    access: { public: 'signed with the source’s secret instead of an API key' },
    params: {
      source: {
        description: 'Source (pipelines/sources/<source>.yaml)',
        schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
      },
    },
    answers: {
      202: { description: 'Accepted, or ignored when no rule maps the payload' },
      400: { description: 'The body is not JSON' },
      401: { description: 'Bad or missing signature, or a timestamp outside the window' },
      404: { description: 'Unknown source' },
      409: { description: 'Replayed request' },
      413: { description: 'The body is larger than 1 MiB' },
      422: { description: 'The payload maps to an invalid event; the field is named' },
      503: {
        description:
          'The source has no secret configured, or too many events wait for the workflow service (nothing stored)',
        headers: { 'Retry-After': 'Seconds to wait' },
      },
    },
    async handle(c, { params }, deps) {
      const source = params.source!;
      const mapping = deps.sources.get(source);
      if (!mapping) throw Problem.notFound(`Source ${source}`);
      const raw = await c.req.text();
      const verified = verifySignature(mapping, raw, (name) => c.req.header(name), process.env, Date.now());
      if (!verified.ok) {
        throw new Problem(
          verified.status,
          verified.status === 401 ? 'Invalid signature' : 'Source not configured',
          verified.detail,
        );
      }
      // Over the delivery backlog, before the signature is remembered: the sender's retry is not a replay.
      deps.delivery!.admit();
      if (verified.signature && !(await firstDelivery(deps.sql, source, verified.signature, REPLAY_WINDOW_S)))
        throw new Problem(409, 'Replayed request', 'This signed request was already received.');
      let payload: unknown;
      try {
        payload = JSON.parse(raw);
      } catch (error) {
        throw new Problem(400, 'Malformed JSON', `The body is not valid JSON: ${(error as Error).message}`);
      }
      const headers = Object.fromEntries(
        Object.entries(c.req.header()).map(([k, v]) => [k.toLowerCase(), v]),
      );
      const mapped = mapPayload(mapping, payload, headers);
      if (!mapped) return c.json({ ignored: true, reason: `no rule of ${source} matches this payload` }, 202);
      const checked = validate<EventInput>('event.schema.json', { ...mapped, source });
      if (!checked.ok) {
        // The sender's payload lacks what the mapping needs: name the event field it could not fill.
        throw new Problem(
          422,
          'Unmappable payload',
          `The ${source} payload gave an invalid event: ${checked.errors
            .map((e) => `${e.pointer} ${e.message}`)
            .join('; ')}`,
          checked.errors,
          'unmappable-payload',
        );
      }
      return c.json(await acceptEvent(deps, checked.value), 202);
    },
  }),
];
