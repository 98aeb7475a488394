// Email delivery over SMTP with nodemailer's SMTPConnection, one connection per message: connect, log in
// when the URL carries credentials, then MAIL FROM, RCPT TO and DATA. The caller learns the moment the
// server accepted DATA, before the first byte of the message goes out (its handover, which the outbox
// records), and every failure is classified by what the server can have accepted (see `classify`).
import { Readable } from 'node:stream';
import MailComposer from 'nodemailer/lib/mail-composer';
import SMTPConnection, { type SMTPConnectionOptions } from 'nodemailer/lib/smtp-connection';
import { EENVELOPE, EMESSAGE, isPermanentResponseCode } from 'nodemailer/lib/errors';
import { parseConnectionUrl } from 'nodemailer/lib/shared';

export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string | undefined;
  messageId: string;
  headers?: Record<string, string>;
}

/**
 * Called once the provider is ready to take the message data, before any of it goes out (for SMTP: the
 * server accepted DATA). The data is sent only after it resolves; if it rejects, nothing is sent and the
 * delivery fails with its error (the provider can have accepted nothing).
 */
export type Handover = () => Promise<void>;

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
  send(email: OutgoingEmail, handover?: Handover): Promise<{ providerId: string }>;
  close(): void;
}

/** How far a message got: whether the end of its data (the final `.` of DATA) was written to the server. */
export type DataPhase = 'before-end' | 'after-end';

/** Connection timeouts (ms); the defaults suit a provider, tests shorten them. */
export interface MailerTimeouts {
  /** To open the connection. */
  connectionTimeout?: number;
  /** For the server's greeting. */
  greetingTimeout?: number;
  /** Of silence once connected: a reply that does not come. */
  socketTimeout?: number;
}

const TIMEOUTS: Required<MailerTimeouts> = {
  connectionTimeout: 30_000,
  greetingTimeout: 30_000,
  socketTimeout: 60_000,
};

export function createMailer(smtpUrl: string, timeouts: MailerTimeouts = {}): Mailer {
  const { auth, ...url } = parseConnectionUrl(smtpUrl);
  const options: SMTPConnectionOptions = { ...url, ...TIMEOUTS, ...timeouts, logger: false };
  const open = new Set<SMTPConnection>();
  return {
    async send(email, handover = () => Promise.resolve()) {
      const message = new MailComposer({
        from: email.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        ...(email.html ? { html: email.html } : {}),
        messageId: email.messageId,
        headers: email.headers,
      }).compile();
      const raw = await message.build();
      const connection = new SMTPConnection(options);
      open.add(connection);
      try {
        await deliver(connection, auth, message.getEnvelope(), raw, handover);
      } finally {
        open.delete(connection);
      }
      return { providerId: message.messageId() };
    },
    close() {
      for (const connection of open) connection.close();
    },
  };
}

/**
 * A reply code decides: 5xx is permanent (but 503, a session in the wrong state), 4xx retryable. Without
 * one, a message the client itself could not send (an address it cannot put in the envelope, a message
 * over the server's size) is permanent; any other failure — a refused or dropped connection, a timeout —
 * is retryable before the end of the data was written (the server cannot have accepted the message) and
 * ambiguous after it (it may have, and its answer was lost).
 */
export function classify(error: unknown, phase: DataPhase): DeliveryFailure {
  const e = (error ?? {}) as { responseCode?: unknown; code?: unknown };
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (code !== undefined && code >= 400 && code < 600)
    return isPermanentResponseCode(code) ? 'permanent' : 'retryable';
  if (code === undefined && (e.code === EENVELOPE || e.code === EMESSAGE)) return 'permanent';
  return phase === 'after-end' ? 'ambiguous' : 'retryable';
}

/** One message over one connection; settles once the server answered, or the connection failed. */
function deliver(
  connection: SMTPConnection,
  auth: { user?: string; pass?: string } | undefined,
  envelope: ReturnType<ReturnType<MailComposer['compile']>['getEnvelope']>,
  raw: Buffer,
  handover: Handover,
): Promise<void> {
  const data = new MessageData(raw, handover);
  return new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      connection.close();
      // A handover in progress settles first, so its outcome is known before the delivery's.
      void data.settled().then(() => {
        if (data.refusal !== undefined) reject(data.refusal);
        else if (error === undefined) resolve();
        else
          reject(
            new DeliveryError(classify(error, data.ended ? 'after-end' : 'before-end'), error.message, {
              cause: error,
            }),
          );
      });
    };
    connection.on('error', (error: Error) => finish(error));
    connection.connect((error) => {
      if (error) return finish(error);
      const send = () =>
        connection.send({ from: envelope.from, to: envelope.to }, data, (failure) =>
          finish(failure ?? undefined),
        );
      if (auth && connection.allowsAuth)
        connection.login(auth, (failure) => (failure ? finish(failure) : send()));
      else send();
    });
  });
}

/**
 * The message as SMTPConnection#send reads it. The connection pipes it into its DATA stream only once
 * the server accepted DATA (354), so its first read is the handover: awaited before the first byte is
 * pushed. The DATA stream escapes the message and ends it with the final `.`; once that stream has ended,
 * the end of the message was written to the server.
 */
class MessageData extends Readable {
  /** Whether the final `.` was written. */
  ended = false;
  /** Why the handover refused to let the data go (the handover's own error). */
  refusal: Error | undefined;
  private handing: Promise<void> | undefined;

  constructor(
    private readonly raw: Buffer,
    private readonly handover: Handover,
  ) {
    super();
  }

  override _read(): void {
    if (this.handing) return;
    this.handing = this.handover().then(
      () => {
        if (this.destroyed) return;
        this.push(this.raw);
        this.push(null);
      },
      (error: unknown) => {
        this.refusal = error instanceof Error ? error : new Error('the handover failed', { cause: error });
        // The connection sees a failed stream and never writes the final `.`.
        this.destroy(new Error('the message data was not handed over', { cause: error }));
      },
    );
  }

  /** Resolves once a handover in progress has settled. */
  settled(): Promise<void> {
    return this.handing ?? Promise.resolve();
  }

  override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    const ended = () => {
      this.ended = true;
    };
    // The DATA stream's end is the final `.` written; a destination that is no stream of its own is
    // assumed to have it as soon as it has all of the message (earlier, so never a resend too many).
    if (destination instanceof Readable) destination.once('end', ended);
    else this.once('end', ended);
    return super.pipe(destination, options);
  }
}
