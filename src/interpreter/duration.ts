// Durations as playbooks write them: `90m`, `12h`, `3d`, `2w`, or ISO 8601 (`PT90M`, `P3D`, `P2W`).
// Calendar units (months, years) are not fixed lengths and are handled by `addDuration`.
import { epochOf, instantOf } from './instant.js';

export interface Duration {
  readonly months: number;
  readonly ms: number;
}

const SHORT = /^(\d+)\s*(s|m|h|d|w)$/;
const ISO = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

const parsed = new Map<string, Duration | undefined>();

/** Parses a duration, or returns undefined when the text is not one. Results are kept: playbooks reuse a few. */
export function parseDuration(text: string): Duration | undefined {
  if (parsed.has(text)) return parsed.get(text);
  const duration = parse(text);
  if (parsed.size < 10_000) parsed.set(text, duration);
  return duration;
}

function parse(text: string): Duration | undefined {
  const short = SHORT.exec(text.trim());
  if (short) return { months: 0, ms: Number(short[1]) * UNIT_MS[short[2] as keyof typeof UNIT_MS] };
  const iso = ISO.exec(text.trim());
  if (!iso || text.trim() === 'P' || text.trim().endsWith('T')) return undefined;
  const [, y, mo, w, d, h, mi, s] = iso.map((v) => Number(v ?? 0));
  return {
    months: y! * 12 + mo!,
    ms: w! * UNIT_MS.w + d! * UNIT_MS.d + h! * UNIT_MS.h + mi! * UNIT_MS.m + s! * UNIT_MS.s,
  };
}

/**
 * Adds a duration to an instant (ISO string): calendar months first (in UTC; the 31st plus one month
 * is the last day of the next month), then the fixed part.
 */
export function addDuration(at: string, duration: Duration): string {
  if (!duration.months) return instantOf(epochOf(at) + duration.ms);
  const date = new Date(at);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + duration.months);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return instantOf(date.getTime() + duration.ms);
}
