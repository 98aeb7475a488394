// The one postgres.js client of a process, created once and passed to whoever needs it.
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
export async function withDeadlockRetry<T>(transaction: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= 3 || typeof code !== 'string' || !RETRYABLE.has(code)) throw error;
    }
  }
}

/** Asks the server for nothing: whether PostgreSQL answers (readiness, outage probes). */
export async function ping(sql: Sql): Promise<void> {
  await sql`select 1`;
}

/** Either the client or a transaction: what query functions accept, so callers choose the transaction. */
export type Db = postgres.ISql;
