// Instants travel as ISO 8601 text (`2026-03-04T10:00:00.000Z`) through journey state, commands and
// timelines. Simulations convert between text and epoch milliseconds millions of times, so both
// directions are made cheap here: parsing is remembered, formatting is plain arithmetic.

const parsed = new Map<string, number>();
const MAX_REMEMBERED = 50_000;

/** Epoch milliseconds of an instant's text (NaN when it is not one), as Date.parse. */
export function epochOf(iso: string): number {
  let ms = parsed.get(iso);
  if (ms === undefined) {
    ms = Date.parse(iso);
    if (parsed.size >= MAX_REMEMBERED) parsed.clear();
    parsed.set(iso, ms);
  }
  return ms;
}

const DAY = 86_400_000;
const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/** The instant's text, exactly as `new Date(ms).toISOString()` writes it. */
export function instantOf(epochMs: number): string {
  const ms = Math.trunc(epochMs) + 0;
  // Years 1000–9999 by the civil-from-days arithmetic (proleptic Gregorian, as Date); the rest by Date.
  if (!(ms >= -30_610_224_000_000 && ms < 253_402_300_800_000)) return new Date(ms).toISOString();
  const days = Math.floor(ms / DAY);
  let rest = ms - days * DAY;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shifted = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shifted + 2) / 5) + 1;
  const month = shifted < 10 ? shifted + 3 : shifted - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${year}-${pad2(month)}-${pad2(day)}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${pad3(rest - seconds * 1000)}Z`;
}
