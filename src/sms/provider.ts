// SMS delivery through a webhook provider: Rapport POSTs each message as JSON to SMS_WEBHOOK_URL (an
// SMS gateway, or a small adapter in front of one) and reads the provider's message id from the answer.
// Failures are classified like email's: nothing reached the provider (retry), refused (permanent), or
// the request went out and no answer came back (ambiguous: never re-sent). The request carries the whole
// message, so its handover is just before the request is made.
import { DeliveryError, type Handover } from '../mail/mailer.js';

export interface OutgoingSms {
  to: string;
  text: string;
  /** The outbox row id. */
  messageId: string;
  /** The outbox idempotency key, sent as `Idempotency-Key` so the provider can drop a duplicate. */
  idempotencyKey: string;
}

export interface SmsProvider {
  send(sms: OutgoingSms, handover?: Handover): Promise<{ providerId: string }>;
}

/** How long the provider has to answer before the outcome is unknown. */
const TIMEOUT_MS = 10_000;

export function createSmsProvider(url: string, token?: string): SmsProvider {
  return {
    async send(sms, handover) {
      await handover?.();
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': sms.idempotencyKey,
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify({ to: sms.to, body: sms.text, message_id: sms.messageId }),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (error) {
        const code = (error as { cause?: { code?: string } }).cause?.code;
        // Refused or unresolvable: the request never left. A timeout or a reset: it may have.
        const kind = code === 'ECONNREFUSED' || code === 'ENOTFOUND' ? 'retryable' : 'ambiguous';
        throw new DeliveryError(kind, `SMS provider: ${(error as Error).message}`, { cause: error });
      }
      const text = await response.text();
      if (!response.ok) {
        const retry = response.status >= 500 || response.status === 408 || response.status === 429;
        throw new DeliveryError(
          retry ? 'retryable' : 'permanent',
          `SMS provider answered ${response.status}: ${text.slice(0, 200)}`,
        );
      }
      let id: unknown;
      try {
        id = (JSON.parse(text) as { id?: unknown }).id;
      } catch {
        id = undefined;
      }
      return { providerId: typeof id === 'string' || typeof id === 'number' ? String(id) : sms.messageId };
    },
  };
}
