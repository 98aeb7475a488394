// POST /v1/sources/{source}/webhook: a job board or an ATS posts its own payload, signed its own way
// (no API key). The body is read once as bytes; the signature is checked over those bytes
// (src/sources/signature.ts), then they are decoded, parsed and checked for what PostgreSQL can store
// (src/http/storable.ts). The vendor's ping is answered, and the payload taken by src/sources/intake.ts:
// mapped to an event and accepted like POST /v1/events (a delivery twice is one event), stored to be
// enriched from the vendor's API after this answer, or — when no rule maps it — kept 30 days for
// `rapport sources replay`, and answered 202 with the reason.
import { rememberNonce } from '../db/webhook-deliveries.js';
import { secretConfigured, verifySignature } from '../sources/signature.js';
import { takePayload } from '../sources/intake.js';
import { isPing, type SourceScope } from '../sources/webhook.js';
import { operation } from './operation.js';
import { Problem } from './problem.js';
import { unstorableFields } from './storable.js';

export const sourceOperations = [
  operation({
    method: 'post',
    path: '/v1/sources/{source}/webhook',
    summary: 'A job board or ATS webhook, mapped to an event by pipelines/sources/<source>.yaml',
    description:
      'Signed the sender’s way (HMAC-SHA256 with the source secret, see docs/sources.md); no API key. 202 names what became of the payload: `event_id` when it became an event, `enriching` when it waits for reads from the vendor’s API, `ignored` with the `reason` when no rule maps it (kept 30 days for `rapport sources replay`).',
    access: { public: 'signed with the source’s secret instead of an API key' },
    params: {
      source: {
        description: 'Source (pipelines/sources/<source>.yaml)',
        schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
      },
    },
    answers: {
      200: {
        description:
          'The sender’s test or ping request (nothing stored); or, for senders that retry anything but 200, what 202 says',
      },
      202: { description: 'Accepted, stored to enrich, or kept unmapped with the reason' },
      400: { description: 'The body is not JSON' },
      401: { description: 'Bad or missing signature, or a timestamp outside the window' },
      404: { description: 'Unknown source' },
      409: { description: 'A signed token already used with another body (a replay)' },
      413: { description: 'The body is larger than 1 MiB' },
      422: {
        description:
          'The body is no JSON object, holds text PostgreSQL cannot store (NUL, a lone surrogate) or nests too deep; nothing stored',
      },
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
      // The signature covers the bytes as sent: they are kept, and only a copy is decoded to parse.
      const raw = new Uint8Array(await c.req.arrayBuffer());
      let payload: unknown;
      let malformed: string | undefined;
      try {
        payload = JSON.parse(new TextDecoder().decode(raw));
      } catch (error) {
        malformed = `The body is not valid JSON: ${(error as Error).message}`;
      }
      // A signature inside the body needs the body first; one over the raw body is checked first.
      if (malformed && mapping.signature?.field) throw new Problem(400, 'Malformed JSON', malformed);
      const headers = Object.fromEntries(
        Object.entries(c.req.header()).map(([k, v]) => [k.toLowerCase(), v]),
      );
      const scope: SourceScope = { payload, headers };
      // A test or ping stores nothing and can change nothing, so it is answered before the signature:
      // some senders test a hook before its secret can be entered.
      if (!malformed && isPing(mapping, scope))
        return c.json({ pong: true, source, secret_configured: secretConfigured(mapping, process.env) }, 200);
      const verified = verifySignature(mapping, { raw, payload, headers }, process.env, Date.now());
      if (!verified.ok) {
        throw new Problem(
          verified.status,
          verified.status === 401 ? 'Invalid signature' : 'Source not configured',
          verified.detail,
        );
      }
      if (malformed) throw new Problem(400, 'Malformed JSON', malformed);
      if (payload === null || typeof payload !== 'object' || Array.isArray(payload))
        throw Problem.validation([
          { pointer: '/', message: 'must be a JSON object, as every webhook payload is' },
        ]);
      const unstorable = unstorableFields(payload);
      if (unstorable.length) throw Problem.validation(unstorable);
      // Over the delivery backlog, before the nonce is remembered: the sender's retry is not a replay.
      deps.delivery!.admit();
      if (
        verified.nonce &&
        // The payload as JSON, not its bytes: a retry that serialises it again is still the same body.
        (await rememberNonce(
          deps.sql,
          source,
          verified.nonce.value,
          JSON.stringify(payload),
          verified.nonce.ttlS,
        )) === 'replay'
      )
        throw new Problem(409, 'Replayed request', 'This signed token was already used with another body.');
      const outcome = await takePayload({ ...deps, delivery: deps.delivery }, mapping, scope);
      const status = mapping.answer_status ?? 202;
      switch (outcome.kind) {
        case 'accepted':
          return c.json(outcome.accepted, status);
        case 'enriching':
          return c.json(
            { enriching: true, payload_id: outcome.payloadId, duplicate: outcome.duplicate },
            status,
          );
        case 'unmapped':
          return c.json(
            {
              ignored: true,
              reason: outcome.reason,
              reason_kind: outcome.reasonKind,
              payload_id: outcome.payloadId,
            },
            status,
          );
      }
    },
  }),
];
