// Sending a message again after its delivery was `unknown`, as a recruiter chose to (the candidate may
// get it twice): the message's second row is created once (`claimAgain`), then delivered as a journey's
// send is — the stored subject, text and HTML, consent checked with the candidate as they are now, the
// handover recorded before the data goes out — and its outcome goes on the candidate's timeline.
import type { SendAgainInput, SendAgainResult } from '../../workflows/contract.js';
import { Failure, refusal } from '../../workflows/contract.js';
import { getCandidate } from '../db/candidates.js';
import { claimAgain, storedMessage, type StoredMessage } from '../db/messages.js';
import { recordTimeline, type MessageOutcome } from '../db/timeline.js';
import { consentRefusal, sendAddress } from '../interpreter/consent.js';
import { replyableMessageId } from '../links/message-links.js';
import { deliver, endUndelivered, resume } from './deliver.js';
import { unsubscribeHeaders, type SendDeps } from './send.js';

export async function sendAgain(
  deps: SendDeps,
  input: SendAgainInput,
  options: { heartbeat?: () => void } = {},
): Promise<SendAgainResult> {
  const { sql } = deps;
  const claim = await sql.begin((tx) => claimAgain(tx, input.messageId, input.by));
  if (claim.kind === 'missing') throw refusal(Failure.NotFound, `message ${input.messageId} not found`);
  if (claim.kind === 'erased')
    throw refusal(Failure.Conflict, `message ${input.messageId}: its candidate was erased`);
  if (claim.kind === 'not-unknown')
    throw refusal(Failure.Conflict, `message ${input.messageId} is ${claim.status}, not unknown`);
  const row = (await storedMessage(sql, claim.again.id))!;
  const result = (status: string, reason: string | null): SendAgainResult => ({
    messageId: row.id,
    status,
    reason,
  });
  const record = (outcome: MessageOutcome, because?: string, data: Record<string, unknown> = {}) =>
    recordAgain(deps, row, outcome, because, data);

  const found = await resume(sql, row);
  if (found !== 'deliver') {
    if (found.decided) await record(found.status);
    return result(found.status, found.reason);
  }

  // The candidate as they are now: one who unsubscribed or withdrew consent since is not written to.
  const candidate = row.candidate_id ? await getCandidate(sql, row.candidate_id) : undefined;
  const toCandidate =
    candidate !== undefined &&
    sendAddress({ channel: row.channel, to: 'candidate' }, candidate) === row.to_address;
  const suppression = !candidate
    ? 'no-address'
    : consentRefusal(candidate, row.channel, toCandidate ? 'candidate' : 'owner');
  if (suppression) {
    if (await endUndelivered(sql, row, 'suppressed', suppression))
      await record('suppressed', suppression, { reason: suppression });
    return result('suppressed', suppression);
  }
  const provider = row.channel === 'sms' ? deps.sms : deps.mailer;
  if (!provider) {
    const setting = row.channel === 'sms' ? 'SMS_WEBHOOK_URL' : 'SMTP_URL';
    if (await endUndelivered(sql, row, 'recorded', `not delivered: no ${setting} configured`))
      await record('recorded', `no ${setting} configured`);
    return result('recorded', `not delivered: no ${setting} configured`);
  }
  // A message to the candidate carries their links again (replies and unsubscribing name this message).
  const links = toCandidate ? deps.links : undefined;
  const delivered = await deliver(
    sql,
    row,
    (handover) =>
      row.channel === 'sms'
        ? deps.sms!.send(
            {
              to: row.to_address!,
              text: row.body_text ?? '',
              messageId: row.id,
              idempotencyKey: row.idempotency_key,
            },
            handover,
          )
        : deps.mailer!.send(
            {
              from: row.from_address ?? deps.mailFrom,
              to: row.to_address!,
              subject: row.subject ?? '',
              text: row.body_text ?? '',
              html: row.body_html ?? undefined,
              messageId: replyableMessageId(links, row.id),
              headers: { 'X-Rapport-Message': row.id, ...unsubscribeHeaders(links, row.id) },
            },
            handover,
          ),
    options,
  );
  if (delivered.decided) await record(delivered.status, undefined, { reason: delivered.reason });
  return result(delivered.status, delivered.reason);
}

/** The second row's outcome on the candidate's timeline, at the original's journey and step. */
async function recordAgain(
  deps: SendDeps,
  row: StoredMessage,
  outcome: MessageOutcome,
  because: string | undefined,
  data: Record<string, unknown>,
) {
  if (!row.candidate_id) return;
  await recordTimeline(deps.sql, {
    kind: 'message',
    outcome,
    candidateId: row.candidate_id,
    journeyId: row.journey_id,
    step: row.step,
    messageId: row.id,
    about: row.subject ?? row.template,
    because: because ? `sent again, ${because}` : 'sent again',
    data: { template: row.template, channel: row.channel, again_of: row.again_of, ...data },
  });
}
