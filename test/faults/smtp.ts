// The fault suite's SMTP server (smtp-server, on 127.0.0.1), in a process of its own as a provider is:
// it misbehaves for a share of recipients, each in one way, and counts what it accepted per message
// (the X-Rapport-Message header); the suite asks it for its counts at the end.
// - `temporary`: the first attempt is refused 451 at RCPT TO; later ones are accepted.
// - `permanent`: every attempt is refused 550 at RCPT TO.
// - `timeout`: the first attempt gets no answer at RCPT TO (the client times out).
// - `drop`: the first attempt's connection is dropped at DATA, before the server has taken any of the
//   message (nothing can have been accepted, so the sender retries).
import { fork } from 'node:child_process';
import type { Socket } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export type Fault = 'temporary' | 'permanent' | 'timeout' | 'drop';

/** Each recipient's misbehaviour, by their number: 5% temporary, 3% silent, 3% dropped, 2% refused. */
export function faultOf(recipient: string): Fault | undefined {
  const i = Number(/^c(\d+)@/.exec(recipient)?.[1] ?? -1) % 100;
  if (i < 0) return undefined;
  if (i < 5) return 'temporary';
  if (i < 8) return 'timeout';
  if (i < 11) return 'drop';
  if (i < 13) return 'permanent';
  return undefined;
}

export interface SmtpReport {
  /** How often the server accepted each message (by its X-Rapport-Message id). */
  accepted: Map<string, number>;
  /** Faults injected, by kind. */
  injected: Record<Fault, number>;
}

export interface FaultySmtp extends SmtpReport {
  url: string;
  close(): Promise<void>;
}

/** The server in a child process; `report()` asks it what it accepted and injected so far. */
export async function spawnFaultySmtp(
  port: number,
): Promise<{ url: string; report(): Promise<SmtpReport>; close(): Promise<void> }> {
  const child = fork(import.meta.filename, [String(port)], { execArgv: ['--import', 'tsx'] });
  const next = <T>() => new Promise<T>((resolve) => child.once('message', (m) => resolve(m as T)));
  const { url } = await next<{ url: string }>();
  return {
    url,
    async report() {
      const answer = next<{ accepted: [string, number][]; injected: Record<Fault, number> }>();
      child.send('report');
      const { accepted, injected } = await answer;
      return { accepted: new Map(accepted), injected };
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const MESSAGE_ID = /^x-rapport-message:\s*(\S+)/im;

export async function startFaultySmtp(port: number): Promise<FaultySmtp> {
  const accepted = new Map<string, number>();
  const injected: Record<Fault, number> = { temporary: 0, permanent: 0, timeout: 0, drop: 0 };
  /** Recipients whose one-off fault was already injected. */
  const spent = new Set<string>();
  const once = (recipient: string, fault: Fault) => {
    const key = `${fault}\n${recipient}`;
    if (spent.has(key)) return false;
    spent.add(key);
    injected[fault] += 1;
    return true;
  };
  const server: SMTPServer = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const recipient = address.address.toLowerCase();
      const fault = faultOf(recipient);
      if (fault === 'permanent') {
        injected.permanent += 1;
        return callback(Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 }));
      }
      if (fault === 'temporary' && once(recipient, 'temporary'))
        return callback(Object.assign(new Error('4.2.0 try again later'), { responseCode: 451 }));
      if (fault === 'timeout' && once(recipient, 'timeout')) return; // never answered
      callback();
    },
    onData(stream, session, callback) {
      const recipient = session.envelope.rcptTo[0]?.address.toLowerCase() ?? '';
      if (faultOf(recipient) === 'drop' && once(recipient, 'drop')) {
        // Before the server's 354: the client has sent none of the message.
        stream.on('error', () => {});
        socketOf(server, session)?.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const id = MESSAGE_ID.exec(Buffer.concat(chunks).toString('utf8'))?.[1];
        if (id) accepted.set(id, (accepted.get(id) ?? 0) + 1);
        callback();
      });
    },
  });
  // Clients that die mid-conversation (a worker killed) reset their connection.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    // Short timeouts, so that an unanswered command is noticed in seconds.
    url: `smtp://127.0.0.1:${port}/?connectionTimeout=3000&greetingTimeout=3000&socketTimeout=4000`,
    accepted,
    injected,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The socket of a session's connection (smtp-server keeps its connections in a set). */
function socketOf(server: SMTPServer, session: SMTPServerSession): Socket | undefined {
  const connections = (server as unknown as { connections: Set<{ id: string; _socket: Socket }> })
    .connections;
  for (const c of connections) if (c.id === session.id) return c._socket;
  return undefined;
}

// Run as the child process of spawnFaultySmtp: serve, and answer the parent's requests for counts.
if (process.send && process.argv[1] === import.meta.filename) {
  const smtp = await startFaultySmtp(Number(process.argv[2]));
  process.on('message', () => process.send!({ accepted: [...smtp.accepted], injected: smtp.injected }));
  process.on('SIGTERM', () => {
    // Clients killed mid-conversation may leave connections the server would wait for.
    setTimeout(() => process.exit(0), 2000).unref();
    void smtp.close().then(() => process.exit(0));
  });
  process.send({ url: smtp.url });
}
