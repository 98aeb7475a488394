// Rapport's few custom Liquid filters, shared by playbook expressions and message templates. They are
// pure: the current time is never read here (`now` is in the scope).
import { DateTime } from 'luxon';
import type { Liquid } from 'liquidjs';

const DAY_MS = 86_400_000;

function instant(value: unknown): DateTime | undefined {
  if (value instanceof Date) return DateTime.fromJSDate(value, { zone: 'utc' });
  if (typeof value !== 'string' || value === '') return undefined;
  const parsed = DateTime.fromISO(value, { zone: 'utc' });
  return parsed.isValid ? parsed : undefined;
}

export const FILTERS = {
  /** `date | days_before: 1` — the instant one day earlier (ISO). */
  days_before: (value: unknown, days: number) => {
    const at = instant(value);
    return at ? new Date(at.toMillis() - Number(days) * DAY_MS).toISOString() : null;
  },
  /** `date | days_after: 2` — the instant two days later (ISO). */
  days_after: (value: unknown, days: number) => {
    const at = instant(value);
    return at ? new Date(at.toMillis() + Number(days) * DAY_MS).toISOString() : null;
  },
  /**
   * `candidate.birthday | next_anniversary: now, candidate.timezone` — 09:00 local time on the next
   * anniversary of a YYYY-MM-DD date strictly after `now` (29 February falls on 28 February in other years).
   */
  next_anniversary: (value: unknown, now: unknown, zone?: unknown) => {
    const from = instant(now);
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || !from) return null;
    const tz = typeof zone === 'string' && zone ? zone : 'UTC';
    const [, month, day] = value.split('-').map(Number) as [number, number, number];
    const local = from.setZone(tz);
    for (let year = local.year; year <= local.year + 1; year++) {
      const base = DateTime.fromObject({ year, month, day: 1, hour: 9 }, { zone: tz });
      const candidate = base.set({ day: Math.min(day, base.daysInMonth ?? 28) });
      if (candidate > local) return candidate.toUTC().toISO();
    }
    return null;
  },
  /** `date | in_tz: candidate.timezone` — the date as a person there reads it, e.g. "Tue 10 Feb 2026, 14:30". */
  in_tz: (value: unknown, zone?: unknown) => {
    const at = instant(value);
    if (!at) return value;
    const tz = typeof zone === 'string' && zone ? zone : 'UTC';
    return at.setZone(tz).toFormat('ccc d LLL yyyy, HH:mm');
  },
  /**
   * `item.date | calendar_date` — a calendar date (YYYY-MM-DD, or the day of an instant in UTC) as people
   * write it, e.g. "Thursday 10 December 2026". A date has no time zone, so it reads the same everywhere.
   */
  calendar_date: (value: unknown) => {
    const at = instant(value);
    return at ? at.toFormat('cccc d LLLL yyyy') : value;
  },
} as const;

export function registerFilters(liquid: Liquid): Liquid {
  for (const [name, fn] of Object.entries(FILTERS))
    liquid.registerFilter(name, fn as (...args: unknown[]) => unknown);
  return liquid;
}
