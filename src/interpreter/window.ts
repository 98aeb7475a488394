// Sending windows in the candidate's local time, daylight-saving changes included (luxon does the
// calendar arithmetic with the platform's time zone data).
import { DateTime } from 'luxon';
import type { SendingWindow, Weekday } from './types.js';

const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export function isValidTimezone(zone: string): boolean {
  return DateTime.now().setZone(zone).isValid;
}

/** The first instant at or after `at` inside the window, as an ISO string (UTC). */
export function nextWindowOpening(at: string, window: SendingWindow, zone: string): string {
  const local = DateTime.fromISO(at, { zone: 'utc' }).setZone(zone);
  const [fromH, fromM] = window.from.split(':').map(Number) as [number, number];
  const [toH, toM] = window.to.split(':').map(Number) as [number, number];
  const days = new Set(window.days ?? WEEKDAYS);
  for (let offset = 0; offset <= 7; offset++) {
    const day = local.plus({ days: offset }).startOf('day');
    if (!days.has(WEEKDAYS[day.weekday - 1]!)) continue;
    const opens = day.set({ hour: fromH, minute: fromM });
    const closes = toH === 24 ? day.plus({ days: 1 }) : day.set({ hour: toH, minute: toM });
    if (local >= closes) continue;
    const candidate = local > opens ? local : opens;
    return candidate.toUTC().toISO()!;
  }
  throw new Error(`The sending window ${JSON.stringify(window)} never opens`);
}
