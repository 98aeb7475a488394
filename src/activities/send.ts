// The send activity: consent first, render, claim the outbox row, deliver once, record the timeline.
// A send `to: owner` is a notification about the candidate for their recruiter: it goes to the owner's
// address (the candidate's owner, else the playbook's), consent does not apply, and it carries none of
// the candidate's links (unsubscribe, answers, tracking) nor a Message-ID a reply could be matched by.
// A retry after a crash finds the outbox row: a message whose data was handed to the provider is marked
// `unknown` and never sent twice; one that never got that far (still connecting, or in the SMTP envelope)
// is delivered.
import { Failure, refusal } from '../../workflows/contract.js';
import { getCandidate } from '../db/candidates.js';
import { getJob } from '../db/jobs.js';
import { getRecruitingEvent } from '../db/recruiting-events.js';
import type { Sql } from '../db/client.js';
import { recordTimeline, stepKey, type MessageOutcome } from '../db/timeline.js';
import { claimMessage, messageIdFor, messageStatus, transition, type MessageStatus } from '../db/messages.js';
import type { SendInput } from '../../workflows/contract.js';
import { decideSend } from '../interpreter/consent.js';
import { liquidScope } from '../interpreter/scope.js';
import { orgScope, senderAddress, type OrgContent } from '../interpreter/org.js';
import type { Mailer } from '../mail/mailer.js';
import { deliver, endUndelivered, INTERRUPTED, resume } from './deliver.js';
import type { SmsProvider } from '../sms/provider.js';
import {
  messageScope,
  recruitingEventOf,
  replyableMessageId,
  trackLinks,
  type Links,
} from '../links/message-links.js';
import { TemplateError, type TemplateEngine } from '../templates/engine.js';
import { trustedAddresses } from '../templates/marks.js';

export interface SendResult {
  messageId: string;
  status: MessageStatus;
  reason: string | null;
}

export interface SendDeps {
  sql: Sql;
  templates: TemplateEngine;
  mailer: Mailer | undefined;
  sms: SmsProvider | undefined;
  /** Where the public pages are, and the key that signs the message's links (see src/links/message-links.ts). */
  links?: Links | undefined;
  mailFrom: string;
  org: OrgContent;
}

/** The send's key (its step iteration's): the outbox row's, the message id's seed, the SMS provider's. */
export function idempotencyKey(input: SendInput): string {
  return stepKey(input);
}

export async function send(
  deps: SendDeps,
  input: SendInput,
  options: { heartbeat?: () => void } = {},
): Promise<SendResult> {
  const { sql } = deps;
  const key = idempotencyKey(input);
  // The row's id follows from its key, so every attempt renders the same signed links.
  const messageId = messageIdFor(key);
  const candidate = await getCandidate(sql, input.candidateId);
  if (!candidate) throw refusal(Failure.NotFound, `candidate ${input.candidateId} not found`);
  const sms = input.channel === 'sms';
  const toOwner = input.to === 'owner';
  // The one consent decision of this send, with the candidate as they are now.
  const { address, refused: suppression } = decideSend(
    { channel: input.channel, to: input.to, playbookOwner: input.playbook.owner },
    candidate,
  );
  // The candidate's own links only go to the candidate.
  const links = toOwner ? undefined : deps.links;

  let rendered: ReturnType<TemplateEngine['render']> | undefined;
  if (!suppression) {
    const job = input.jobId ? await getJob(sql, input.jobId) : undefined;
    const meetupId = recruitingEventOf(input.event);
    const meetup = meetupId ? await getRecruitingEvent(sql, meetupId) : undefined;
    const now = new Date().toISOString();
    const org = orgScope(deps.org, now);
    const own = links ? messageScope(links, messageId, meetupId) : {};
    // Addresses a printed value may link: the organisation's, the message's own links, and the recruiting
    // event's as recruiters entered it (not as an event's data says); never a candidate's or an event's.
    const trusted = trustedAddresses(org, own, meetup?.url);
    try {
      const scope = liquidScope(
        {
          candidate,
          job,
          org,
          event: input.event,
          now,
          journey: {
            id: input.journeyId,
            playbook: input.playbook.id,
            version: input.playbook.version,
            started_at: input.startedAt,
            step: input.step,
          },
        },
        own,
      );
      rendered = deps.templates.render(input.template, scope, { trusted });
      if (links && rendered.html)
        rendered = { ...rendered, html: trackLinks(rendered.html, links, messageId) };
    } catch (error) {
      if (error instanceof TemplateError) throw refusal(Failure.TemplateError, error.message);
      throw error;
    }
  }
  // The step's `from`, else the template's, else the playbook owner, else RAPPORT_MAIL_FROM; a `from`
  // may name one of the organisation's senders.
  const chosen = input.from ?? rendered?.from;
  const from = chosen ? senderAddress(deps.org, chosen) : (input.playbook.owner ?? deps.mailFrom);
  const { row, created } = await claimMessage(sql, {
    id: messageId,
    idempotencyKey: key,
    candidateId: candidate.id,
    journeyId: input.journeyId,
    step: input.step,
    channel: input.channel,
    template: input.template,
    to: address ?? null,
    from: sms ? null : from,
    subject: rendered?.subject ?? null,
    text: rendered?.text ?? null,
    html: rendered?.html ?? null,
    status: suppression ? 'suppressed' : 'pending',
    reason: suppression,
  });
  const record = (outcome: MessageOutcome, about: string, because?: string, data?: Record<string, unknown>) =>
    recordMessage(sql, input, row.id, { outcome, about, because, data });
  const result = (status: MessageStatus, reason: string | null = null): SendResult => ({
    messageId: row.id,
    status,
    reason,
  });

  if (created && suppression) {
    await record('suppressed', input.template, suppression, { reason: suppression });
    return result('suppressed', suppression);
  }
  const found = await resume(sql, row);
  if (found !== 'deliver') {
    if (found.decided) await record(found.status, row.subject ?? input.template);
    return result(found.status, found.reason);
  }
  if (suppression) {
    // An earlier attempt failed for a while; since then the candidate unsubscribed or withdrew consent.
    if (await endUndelivered(sql, row, 'suppressed', suppression))
      await record('suppressed', row.subject ?? input.template, suppression, { reason: suppression });
    return result('suppressed', suppression);
  }

  const provider = sms ? deps.sms : deps.mailer;
  if (!provider) {
    const setting = sms ? 'SMS_WEBHOOK_URL' : 'SMTP_URL';
    if (await endUndelivered(sql, row, 'recorded', `not delivered: no ${setting} configured`))
      await record('recorded', rendered!.subject, `no ${setting} configured`);
    return result('recorded', `not delivered: no ${setting} configured`);
  }
  const delivered = await deliver(
    sql,
    row,
    (handover) =>
      sms
        ? deps.sms!.send(
            { to: address!, text: rendered!.text, messageId: row.id, idempotencyKey: key },
            handover,
          )
        : deps.mailer!.send(
            {
              from,
              to: address!,
              subject: rendered!.subject,
              text: rendered!.text,
              html: rendered!.html,
              messageId: replyableMessageId(links, row.id),
              headers: { 'X-Rapport-Message': row.id, ...unsubscribeHeaders(links, row.id) },
            },
            handover,
          ),
    options,
  );
  if (delivered.decided)
    await record(
      delivered.status,
      rendered!.subject,
      undefined,
      delivered.status === 'sent' ? { subject: rendered!.subject } : { reason: delivered.reason },
    );
  return result(delivered.status, delivered.reason);
}

/** How long a delivery attempt may take (the send activity's start-to-close timeout). */
export const SEND_ATTEMPT_MS = 2 * 60_000;

/**
 * Called when the journey ended while its send was in flight (retrying, or not yet started): a row still
 * pending becomes `cancelled`, and a missing one is created `cancelled`, so an attempt that is still
 * running finds it and does not deliver. An attempt still connecting or in the envelope (no handover
 * yet) is cancelled too: its handover is refused, so the data never goes out. An attempt that handed the
 * data over is waited for: if it gives the row back as pending (a temporary failure), the row is
 * cancelled; if it never finishes, the outcome is `unknown`. Either way no row is left pending with
 * nobody to send it.
 */
export async function settleSend(
  deps: SendDeps,
  input: SendInput,
  options: { pollMs?: number; heartbeat?: () => void } = {},
): Promise<{ status: MessageStatus }> {
  const reason = 'journey ended before the message was sent';
  const { row, created } = await claimMessage(deps.sql, {
    id: messageIdFor(idempotencyKey(input)),
    idempotencyKey: idempotencyKey(input),
    candidateId: input.candidateId,
    journeyId: input.journeyId,
    step: input.step,
    channel: input.channel,
    template: input.template,
    to: null,
    from: null,
    subject: null,
    text: null,
    status: 'cancelled',
    reason,
  });
  const record = (outcome: MessageOutcome, about: string, because?: string) =>
    recordMessage(deps.sql, input, row.id, { outcome, about, because });
  if (created) {
    await record('cancelled', input.template, 'journey ended');
    return { status: 'cancelled' };
  }
  for (;;) {
    const current = await messageStatus(deps.sql, row.id);
    if (current.status === 'pending' || (current.status === 'sending' && !current.dataSent)) {
      if (await endUndelivered(deps.sql, { id: row.id, status: current.status }, 'cancelled', reason)) {
        await record('cancelled', row.subject ?? input.template, 'journey ended');
        return { status: 'cancelled' };
      }
      continue;
    }
    if (current.status !== 'sending') return { status: current.status };
    if (current.sinceMs > SEND_ATTEMPT_MS) {
      if (await transition(deps.sql, row.id, 'sending', 'unknown', { reason: INTERRUPTED })) {
        await record('unknown', row.subject ?? input.template);
        return { status: 'unknown' };
      }
      continue;
    }
    options.heartbeat?.();
    await new Promise((r) => setTimeout(r, options.pollMs ?? 250));
  }
}

/** A message's step on the candidate's timeline (sent, suppressed, failed, unknown, cancelled…). */
function recordMessage(
  sql: Sql,
  input: SendInput,
  messageId: string,
  line: {
    outcome: MessageOutcome;
    about: string;
    because?: string | undefined;
    data?: Record<string, unknown> | undefined;
  },
) {
  return recordTimeline(sql, {
    kind: 'message',
    outcome: line.outcome,
    candidateId: input.candidateId,
    journeyId: input.journeyId,
    step: input.step,
    messageId,
    about: line.about,
    because: line.because,
    data: {
      template: input.template,
      channel: input.channel,
      playbook: input.playbook.id,
      ...(input.to === 'owner' ? { to: 'owner' } : {}),
      ...line.data,
    },
  });
}

/** RFC 8058 one-click unsubscribe: the link, and the header that says a POST to it is enough. */
export function unsubscribeHeaders(links: Links | undefined, messageId: string): Record<string, string> {
  if (!links) return {};
  const url = messageScope(links, messageId).unsubscribe_url;
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
