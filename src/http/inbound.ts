// POST /inbound/email: replies to Rapport emails, posted by an inbound-mail provider (public, no API key).
// Every email Rapport sends has a signed Message-ID; a reply names it in In-Reply-To or References, which
// proves which message (and so which candidate and journey) it answers. The reply becomes the event
// `candidate.replied`. Mail that names no Rapport message is acknowledged and ignored, so the provider
// does not retry it.
import { repliedMessage } from '../links/message-links.js';
import { messageRecipient } from '../db/message-subjects.js';
import { acceptSubjectEvent } from '../intake/accept.js';
import { operation } from './operation.js';

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
    access: { public: 'a reply only counts when it names a message Rapport signed (In-Reply-To)' },
    body: { json: 'inbound-email.schema.json', prepare: normalize },
    answers: {
      202: { description: 'Accepted, or ignored when it answers no Rapport message' },
    },
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
