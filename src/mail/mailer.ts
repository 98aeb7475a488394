// Email delivery over SMTP (nodemailer). Classifies failures so the send activity can tell a safe retry
// (nothing reached the server) from a permanent rejection and from an ambiguous outcome.
import nodemailer from 'nodemailer';

export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  messageId: string;
  headers?: Record<string, string>;
}

export type DeliveryFailure = 'retryable' | 'permanent' | 'ambiguous';

export class DeliveryError extends Error {
  constructor(
    readonly kind: DeliveryFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DeliveryError';
  }
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<{ providerId: string }>;
  close(): void;
}

export function createMailer(smtpUrl: string): Mailer {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(email) {
      try {
        const info = await transport.sendMail({
          from: email.from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          ...(email.html ? { html: email.html } : {}),
          messageId: email.messageId,
          headers: email.headers,
        });
        return { providerId: String(info.messageId ?? email.messageId) };
      } catch (error) {
        throw new DeliveryError(classify(error), error instanceof Error ? error.message : String(error), {
          cause: error,
        });
      }
    },
    close: () => transport.close(),
  };
}

/**
 * A 5xx reply is a permanent rejection; a 4xx reply or a failure before the message data was sent is
 * safe to retry; anything after the data went out may have been accepted, so it is ambiguous.
 */
export function classify(error: unknown): DeliveryFailure {
  const e = error as { responseCode?: number; command?: string; code?: string };
  if (typeof e.responseCode === 'number') return e.responseCode >= 500 ? 'permanent' : 'retryable';
  if (e.command === 'DATA' || e.command === 'DATA-END' || e.code === 'ESTREAM') return 'ambiguous';
  if (e.command === 'CONN' || e.code === 'ECONNECTION' || e.code === 'EDNS' || e.code === 'ETIMEDOUT') {
    return 'retryable';
  }
  return 'ambiguous';
}
