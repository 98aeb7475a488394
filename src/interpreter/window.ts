// Sending windows in the candidate's local time, daylight-saving changes included. Offsets come from
// the platform's time-zone data (Intl), memoised per 15 minutes because simulations ask millions of
// times; luxon (a well-kept calendar library) checks zone names and is the oracle in the tests.
import { DateTime } from 'luxon';
import { epochOf, instantOf } from './instant.js';
import { JourneyFailure } from './failure.js';
import type { SendingWindow, Weekday } from './types.js';

const WEEKDAYS: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 86_400_000;
const BUCKET = 15 * MINUTE;

const validZones = new Map<string, boolean>();

export function isValidTimezone(zone: string): boolean {
  let valid = validZones.get(zone);
  if (valid === undefined) {
    valid = DateTime.now().setZone(zone).isValid;
    if (validZones.size < 1000) validZones.set(zone, valid);
  }
  return valid;
}

const formats = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, Map<number, number>>();
let cachedOffsets = 0;

/** Minutes to add to UTC to get the wall-clock time in `zone` at `epochMs`. */
export function offsetMinutes(zone: string, epochMs: number): number {
  if (zone === 'UTC') return 0;
  const bucket = Math.floor(epochMs / BUCKET);
  let byBucket = offsets.get(zone);
  if (!byBucket) {
    byBucket = new Map();
    offsets.set(zone, byBucket);
  }
  const cached = byBucket.get(bucket);
  if (cached !== undefined) return cached;
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formats.set(zone, format);
  }
  const at = bucket * BUCKET;
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, Number(p.value)]));
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day, parts.hour, parts.minute);
  const offset = Math.round((wall - at) / MINUTE);
  if (++cachedOffsets > 500_000) {
    offsets.clear();
    cachedOffsets = 0;
  }
  byBucket.set(bucket, offset);
  return offset;
}

/**
 * The instant at which the wall-clock time `wall` (as UTC milliseconds) occurs in `zone`. A time that
 * occurs twice (clocks going back) is its first occurrence; a time that a daylight-saving change skips
 * (02:30 on a spring-forward night) moves forward by the gap, as clocks do.
 */
export function wallToEpoch(wall: number, zone: string): number {
  // Offsets lie within ±15 hours, so the instant is between these two probes.
  const before = offsetMinutes(zone, wall - 15 * HOUR) * MINUTE;
  const after = offsetMinutes(zone, wall + 15 * HOUR) * MINUTE;
  const first = wall - before;
  if (before === after || offsetMinutes(zone, first) * MINUTE === before) return first;
  const second = wall - after;
  if (offsetMinutes(zone, second) * MINUTE === after) return second;
  return first;
}

interface ParsedWindow {
  from: number;
  to: number;
  days: ReadonlySet<Weekday>;
}
const parsedWindows = new WeakMap<SendingWindow, ParsedWindow>();

function parseWindow(window: SendingWindow): ParsedWindow {
  let parsed = parsedWindows.get(window);
  if (!parsed) {
    const minutes = (hhmm: string) => {
      const [h, m] = hhmm.split(':').map(Number) as [number, number];
      return h * 60 + m;
    };
    parsed = { from: minutes(window.from), to: minutes(window.to), days: new Set(window.days ?? WEEKDAYS) };
    parsedWindows.set(window, parsed);
  }
  return parsed;
}

/** The first instant at or after `at` inside the window, as an ISO string (UTC). */
export function nextWindowOpening(at: string, window: SendingWindow, zone: string): string {
  const now = epochOf(at);
  const { from, to, days } = parseWindow(window);
  const today = Math.floor((now + offsetMinutes(zone, now) * MINUTE) / DAY) * DAY;
  // Two weeks: a weekly window that a daylight-saving change swallows opens the week after.
  for (let d = 0; d <= 14; d++) {
    const day = today + d * DAY;
    if (!days.has(WEEKDAYS[new Date(day).getUTCDay()]!)) continue;
    const closes = wallToEpoch(day + to * MINUTE, zone);
    if (now >= closes) continue;
    const opens = wallToEpoch(day + from * MINUTE, zone);
    // A window inside a skipped hour does not exist that day.
    if (opens >= closes) continue;
    return now >= opens ? at : instantOf(opens);
  }
  throw new JourneyFailure(`The sending window ${JSON.stringify(window)} never opens`);
}
