// POST /inbound/email: replies to Rapport emails, posted by an inbound-mail provider. No API key: the
// provider presents the shared secret RAPPORT_INBOUND_EMAIL_SECRET (basic auth's password or a bearer
// token; without the variable no post is taken), within RAPPORT_RATE_LIMIT, before anything is read.
// Every email Rapport sends has a signed Message-ID; a reply names it in In-Reply-To or References, which
// proves which message (and so which candidate and journey) it answers. The reply becomes the event
// `candidate.replied`. Mail that names no Rapport message is acknowledged and ignored, so the provider
// does not retry it.
import type { Context } from 'hono';
import { repliedMessage } from '../links/message-links.js';
import { messageRecipient } from '../db/message-subjects.js';
import { acceptSubjectEvent } from '../intake/accept.js';
import type { ApiDeps } from './deps.js';
import { operation } from './operation.js';
import { Problem } from './problem.js';
import { overRate, tokenBuckets, type TokenBuckets } from './rate-limit.js';
import { presentedSecret, secretMatches } from './shared-secret.js';

const REALM = 'rapport-inbound';
const HOW =
  'Send RAPPORT_INBOUND_EMAIL_SECRET as the basic-auth password (https://inbound:<secret>@…/inbound/email) or as `Authorization: Bearer <secret>`.';

/** The provider's rate, one bucket per app. */
const rates = new WeakMap<ApiDeps, TokenBuckets>();

/** The provider presents the shared secret, within the rate; anyone else is refused before the body is read. */
function admitProvider(c: Context, deps: ApiDeps): void {
  const secret = deps.inboundEmailSecret;
  if (!secret)
    throw new Problem(
      503,
      'Inbound email not configured',
      'Replies are not taken: set RAPPORT_INBOUND_EMAIL_SECRET and give it to the inbound-mail provider.',
    );
  const presented = presentedSecret(c.req.header('authorization'));
  if (presented === undefined || !secretMatches(presented, secret)) {
    const refused = new Problem(
      401,
      'Unauthorized',
      presented === undefined ? HOW : 'The secret presented is not RAPPORT_INBOUND_EMAIL_SECRET.',
    );
    refused.headers = { 'WWW-Authenticate': `Basic realm="${REALM}", Bearer realm="${REALM}"` };
    throw refused;
  }
  const perSecond = deps.rateLimit ?? 0;
  let take = rates.get(deps);
  if (!take) rates.set(deps, (take = tokenBuckets(perSecond)));
  const wait = take('provider');
  if (wait > 0) throw overRate('The inbound-mail provider', perSecond, wait);
}

interface InboundEmail {
  from: string;
  subject?: string;
  text?: string;
  message_id?: string;
  in_reply_to?: string;
  references?: string;
}

/** Postmark's inbound JSON read into the generic shape; anything else is taken as the generic shape. */
function normalize(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || !('MessageID' in body || 'FromFull' in body)) return body;
  const p = body as {
    From?: string;
    FromFull?: { Email?: string };
    Subject?: string;
    TextBody?: string;
    StrippedTextReply?: string;
    MessageID?: string;
    Headers?: { Name?: string; Value?: string }[];
  };
  const header = (name: string) =>
    p.Headers?.find((h) => h.Name?.toLowerCase() === name.toLowerCase())?.Value ?? undefined;
  const inbound: Partial<InboundEmail> = {
    from: p.FromFull?.Email ?? p.From,
    subject: p.Subject,
    text: p.StrippedTextReply || p.TextBody,
    message_id: header('Message-ID') ?? p.MessageID,
    in_reply_to: header('In-Reply-To'),
    references: header('References'),
  };
  return Object.fromEntries(Object.entries(inbound).filter(([, v]) => v !== undefined));
}

export const inboundOperations = [
  operation<object, InboundEmail>({
    method: 'post',
    path: '/inbound/email',
    summary: 'A reply from an inbound-mail provider; becomes candidate.replied',
    description:
      'No API key: the provider presents the shared secret RAPPORT_INBOUND_EMAIL_SECRET as the basic-auth password (`https://inbound:<secret>@rapport.example/inbound/email`) or as `Authorization: Bearer <secret>`, and is held to RAPPORT_RATE_LIMIT posts a second. Without the variable, every post is refused (503). A reply only counts when it names a message Rapport signed (In-Reply-To or References).',
    access: {
      public: 'the inbound-mail provider presents the shared secret RAPPORT_INBOUND_EMAIL_SECRET instead',
    },
    body: { json: 'inbound-email.schema.json', prepare: normalize },
    answers: {
      202: { description: 'Accepted, or ignored when it answers no Rapport message' },
      401: {
        description: 'No secret presented, or not RAPPORT_INBOUND_EMAIL_SECRET',
        headers: { 'WWW-Authenticate': 'Basic and Bearer challenges' },
      },
      429: {
        description: 'The provider is over RAPPORT_RATE_LIMIT; retry after Retry-After',
        headers: { 'Retry-After': 'Seconds to wait' },
      },
      503: {
        description:
          'RAPPORT_INBOUND_EMAIL_SECRET is not set (no post is taken), or PostgreSQL or Temporal cannot be reached right now',
        headers: { 'Retry-After': 'Seconds to wait (an outage)' },
      },
    },
    admit: admitProvider,
    async handle(c, { body: email }, deps) {
      const answered = repliedMessage(deps.links, `${email.in_reply_to ?? ''} ${email.references ?? ''}`);
      const who = answered && (await messageRecipient(deps.sql, answered));
      if (!answered || !who)
        return c.json({ ignored: true, reason: 'not a reply to a Rapport message' }, 202);
      const accepted = await acceptSubjectEvent(deps, {
        subject: { candidateId: who.candidate_id },
        type: 'candidate.replied',
        source: 'email',
        ...(email.message_id ? { id: email.message_id.slice(0, 500) } : {}),
        data: {
          message_id: answered,
          journey_id: who.journey_id,
          step: who.step,
          from: email.from,
          subject: email.subject ?? null,
          text: (email.text ?? '').slice(0, 10_000),
        },
      });
      return c.json(accepted, 202);
    },
  }),
];
