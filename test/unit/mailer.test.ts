// Delivery failures classified by what the SMTP server can have accepted, against a real SMTP server
// (smtp-server) made to misbehave at each point of the conversation: only a failure after the end of the
// message data was written, with no reply, is ambiguous.
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { classify, createMailer, DeliveryError, type OutgoingEmail } from '../../src/mail/mailer.js';
import { freePort } from '../helpers/ports.js';

interface FaultyServer {
  url: string;
  /** Messages the server took in full (the final `.` received, answered 250). */
  accepted: string[];
  /** Drops every open connection at once (a crash or a reset). */
  drop(): void;
  close(): Promise<void>;
}

const servers: FaultyServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A real SMTP server with its handlers replaced; by default it accepts every message. */
async function smtpServer(handlers: Partial<SMTPServerOptions> = {}): Promise<FaultyServer> {
  const accepted: string[] = [];
  const sockets = new Set<Socket>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        accepted.push(Buffer.concat(chunks).toString('utf8'));
        callback();
      });
    },
    ...handlers,
  });
  server.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('error', () => undefined);
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const drop = () => {
    for (const socket of sockets) socket.destroy();
  };
  const faulty: FaultyServer = {
    url: `smtp://127.0.0.1:${port}`,
    accepted,
    drop,
    close: () => {
      drop();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  servers.push(faulty);
  return faulty;
}

const email: OutgoingEmail = {
  from: 'Rapport <rapport@test.example>',
  to: 'ada@example.com',
  subject: 'Hello',
  text: 'A message.\n.\nWith a line that is a dot.',
  messageId: '<m1@rapport>',
};

/** Short timeouts: a silent server is noticed in a fraction of a second. */
const QUICK = { connectionTimeout: 500, greetingTimeout: 300, socketTimeout: 300 };

/** Sends once; the outcome as the send activity sees it, and whether the handover was asked for. */
async function attempt(url: string, handover: () => Promise<void> = () => Promise.resolve()) {
  const mailer = createMailer(url, QUICK);
  let handedOver = 0;
  const outcome = await mailer
    .send(email, async () => {
      handedOver += 1;
      await handover();
    })
    .then(
      () => 'sent' as const,
      (error: unknown) => (error instanceof DeliveryError ? error.kind : error),
    );
  mailer.close();
  return { outcome, handedOver };
}

const smtpError = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });

describe('delivering over SMTP', () => {
  it('asks for the handover once the server accepted DATA, and sends the data only after it', async () => {
    let handedOverBeforeData: boolean | undefined;
    let handedOver = false;
    const server = await smtpServer({
      onData(stream, _session, callback) {
        stream.once('data', () => (handedOverBeforeData ??= handedOver));
        stream.resume();
        stream.on('end', () => callback());
      },
    });
    const slowHandover = async () => {
      await new Promise((r) => setTimeout(r, 50));
      handedOver = true;
    };
    expect(await attempt(server.url, slowHandover)).toEqual({ outcome: 'sent', handedOver: 1 });
    expect(handedOverBeforeData).toBe(true);
  });

  it('delivers the message as composed, a line holding a dot included', async () => {
    const server = await smtpServer();
    const mailer = createMailer(server.url, QUICK);
    expect(await mailer.send(email)).toEqual({ providerId: '<m1@rapport>' });
    expect(server.accepted).toHaveLength(1);
    expect(server.accepted[0]).toContain('Subject: Hello');
    expect(server.accepted[0]).toMatch(/A message\.\r\n\.\r\nWith a line/);
  });

  it('sends nothing when the handover is refused, and fails with the refusal', async () => {
    const server = await smtpServer();
    const refusal = new Error('the row was taken by a later attempt');
    const mailer = createMailer(server.url, QUICK);
    await expect(mailer.send(email, () => Promise.reject(refusal))).rejects.toBe(refusal);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.accepted).toEqual([]);
  });
});

describe('a failed delivery', () => {
  it('is retryable when the server drops the connection mid-DATA, before the end of the message', async () => {
    const server = await smtpServer({
      onData(stream) {
        // The server answers 354 right after this handler; with its data stream open, it crashes.
        stream.resume();
        setTimeout(() => server.drop(), 20);
      },
    });
    // The handover takes as long as a write to the outbox; the connection is gone before the data goes.
    const handover = () => new Promise<void>((r) => setTimeout(r, 100));
    expect(await attempt(server.url, handover)).toEqual({ outcome: 'retryable', handedOver: 1 });
    expect(server.accepted).toEqual([]);
  });

  it('is retryable when the server drops the connection with part of the message data received', async () => {
    let received = 0;
    const server = await smtpServer({
      onData(stream) {
        stream.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > 100_000) server.drop();
        });
      },
    });
    // Larger than what the sockets buffer between the two ends: the final `.` is still to be written.
    const large = { ...email, text: `${'x'.repeat(70)}\n`.repeat(200_000) };
    const mailer = createMailer(server.url, QUICK);
    const failure = await mailer.send(large).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DeliveryError);
    expect((failure as DeliveryError).kind).toBe('retryable');
    expect(server.accepted).toEqual([]);
  });

  it('is retryable when the server never sends its greeting (a timeout)', async () => {
    const server = await smtpServer({ onConnect: () => undefined });
    expect(await attempt(server.url)).toEqual({ outcome: 'retryable', handedOver: 0 });
  });

  it('is retryable when the server stops answering during the envelope (a timeout)', async () => {
    const server = await smtpServer({ onMailFrom: () => undefined });
    expect(await attempt(server.url)).toEqual({ outcome: 'retryable', handedOver: 0 });
  });

  it('is retryable when nothing listens', async () => {
    expect(await attempt(`smtp://127.0.0.1:${await freePort()}`)).toEqual({
      outcome: 'retryable',
      handedOver: 0,
    });
  });

  it.each([
    ['answers 451 to the message', 'onData', 451, 'retryable'],
    ['answers 550 to the message', 'onData', 550, 'permanent'],
    ['answers 451 to the recipient', 'onRcptTo', 451, 'retryable'],
    ['answers 550 to the recipient', 'onRcptTo', 550, 'permanent'],
  ] as const)('when the server %s is %s', async (_name, handler, code, kind) => {
    const refuse = (callback: (error?: Error) => void) => callback(smtpError(code, 'refused by test'));
    const server = await smtpServer(
      handler === 'onData'
        ? {
            onData(stream, _session, callback) {
              stream.resume();
              stream.on('end', () => refuse(callback));
            },
          }
        : { onRcptTo: (_address, _session, callback) => refuse(callback) },
    );
    expect((await attempt(server.url)).outcome).toBe(kind);
    expect(server.accepted).toEqual([]);
  });

  it('is ambiguous when the server drops the connection right after the final dot', async () => {
    const server = await smtpServer({
      onData(stream) {
        stream.resume();
        stream.on('end', () => server.drop());
      },
    });
    expect(await attempt(server.url)).toEqual({ outcome: 'ambiguous', handedOver: 1 });
  });

  it('is ambiguous when the answer to the final dot never comes (a timeout)', async () => {
    const server = await smtpServer({
      onData(stream) {
        stream.resume();
      },
    });
    expect(await attempt(server.url)).toEqual({ outcome: 'ambiguous', handedOver: 1 });
  });
});

describe('classify', () => {
  it.each([
    [{ responseCode: 550, command: 'DATA' }, 'after-end', 'permanent'],
    [{ responseCode: 553, command: 'RCPT TO' }, 'before-end', 'permanent'],
    [{ responseCode: 451, command: 'DATA' }, 'after-end', 'retryable'],
    [{ responseCode: 421, command: 'CONN' }, 'after-end', 'retryable'],
    [{ responseCode: 503, command: 'DATA' }, 'before-end', 'retryable'],
    [{ code: 'EENVELOPE', command: 'API' }, 'before-end', 'permanent'],
    [{ code: 'ECONNECTION', command: 'CONN' }, 'before-end', 'retryable'],
    [{ code: 'ETIMEDOUT', command: 'CONN' }, 'before-end', 'retryable'],
    [{ code: 'ECONNECTION', command: 'CONN' }, 'after-end', 'ambiguous'],
    [{ code: 'ETIMEDOUT', command: 'CONN' }, 'after-end', 'ambiguous'],
    [{ code: 'EPROTOCOL', responseCode: 250 }, 'after-end', 'ambiguous'],
    [{}, 'before-end', 'retryable'],
    [{}, 'after-end', 'ambiguous'],
  ] as const)('%j %s is %s', (error, phase, kind) => {
    expect(classify(error, phase)).toBe(kind);
  });
});
