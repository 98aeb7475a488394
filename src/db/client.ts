// The one postgres.js client of a process, created once and passed to whoever needs it.
import pRetry from 'p-retry';
import postgres from 'postgres';

export type Sql = postgres.Sql;

export function createSql(url: string, options: { max?: number } = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    transform: { undefined: null },
    connection: { application_name: 'rapport' },
  });
}

/** PostgreSQL chose this transaction to break a deadlock, or could not serialize it: it may run again. */
const RETRYABLE = new Set(['40P01', '40001']);

/** Runs a transaction again (up to three times in all) when PostgreSQL aborted it to break a deadlock. */
export function withDeadlockRetry<T>(transaction: () => Promise<T>): Promise<T> {
  return pRetry(transaction, {
    retries: 2,
    minTimeout: 5,
    maxTimeout: 50,
    shouldRetry: ({ error }) => RETRYABLE.has(String((error as { code?: unknown }).code)),
  });
}

/** postgres.js errors of a connection that could not be made or was lost, and server states refusing work. */
const CONNECTION_LOST = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '53300', // too_many_connections
]);

/** Whether the error says PostgreSQL is out of reach (the statement may not have run), not that it refused it. */
export function isConnectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CONNECTION_LOST.has(code);
}

/** Asks the server for nothing: whether PostgreSQL answers (readiness, outage probes). */
export async function ping(sql: Sql): Promise<void> {
  await sql`select 1`;
}

/** Either the client or a transaction: what query functions accept, so callers choose the transaction. */
export type Db = postgres.ISql;
