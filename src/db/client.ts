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

/** Either the client or a transaction: what query functions accept, so callers choose the transaction. */
export type Db = postgres.ISql;
