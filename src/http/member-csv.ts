// A CSV that names candidates, one a line (a pool's members, an event's check-ins).
import { parse as parseCsv } from 'csv-parse/sync';
import { isUuid } from '../domain.js';

/**
 * The rows of a members CSV, each with its line: the `email` or `id` column of a header row (any case,
 * other columns ignored), or without such a header the first column of every line (an id or an email).
 * A line that cannot be read is kept as a row naming nobody, so the answer lists it.
 */
export function csvRows(text: string): { line: number; email?: string; id?: string }[] {
  const unreadable: number[] = [];
  const records = parseCsv(text, {
    skip_empty_lines: true,
    trim: true,
    bom: true,
    relax_quotes: true,
    relax_column_count: true,
    info: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      const line = Number(error?.lines);
      if (Number.isInteger(line)) unreadable.push(line);
      return undefined;
    },
  }) as unknown as { record: string[]; info: { lines: number } }[];
  const header = records[0]?.record.map((h) => h.toLowerCase());
  const idColumn = header?.indexOf('id') ?? -1;
  const emailColumn = header?.indexOf('email') ?? -1;
  const hasHeader = idColumn >= 0 || emailColumn >= 0;
  const rows = (hasHeader ? records.slice(1) : records).map(({ record, info }) => {
    const given = hasHeader ? [record[idColumn], record[emailColumn]] : [record[0]];
    const id = given.find((v) => v && isUuid(v))?.toLowerCase();
    const email = given.find((v) => v?.includes('@'))?.toLowerCase();
    return { line: info.lines, ...(id ? { id } : email ? { email } : {}) };
  });
  return [...rows, ...unreadable.map((line) => ({ line }))].sort((a, b) => a.line - b.line);
}

/** The candidates a CSV names, and — given the ids and emails that matched nobody — its lines naming nobody. */
export function csvCandidates(text: string) {
  const rows = csvRows(text);
  return {
    candidateIds: rows.flatMap((r) => (r.id ? [r.id] : [])),
    emails: rows.flatMap((r) => (r.email ? [r.email] : [])),
    /** `line N` for each row naming nobody: an unknown id or email, neither, or unreadable. */
    unknownLines: (unknown: string[]): string[] => {
      const missing = new Set(unknown);
      return rows
        .filter(
          (r) => (!r.id && !r.email) || (r.id && missing.has(r.id)) || (r.email && missing.has(r.email)),
        )
        .map((r) => `line ${r.line}`);
    },
  };
}
