// The frequency cap: at most `messages` sends per period across all of a subject's playbooks.
import { addDuration, parseDuration } from './duration.js';
import { epochOf, instantOf } from './instant.js';
import { JourneyFailure } from './failure.js';
import type { SendingCap } from './types.js';

/** When the next send fits under the cap: `at` itself when it already fits. */
export function nextSlotUnderCap(at: string, cap: SendingCap, sentAt: readonly string[]): string {
  const per = parseDuration(cap.per);
  if (!per) throw new JourneyFailure(`cap.per "${cap.per}" is not a duration`);
  // A message sent at t counts against the cap until t + per. Fixed periods are counted on epoch
  // milliseconds; calendar periods (P1M) go through addDuration.
  const now = epochOf(at);
  const expiries: number[] = [];
  for (const sent of sentAt) {
    const expires = per.months ? epochOf(addDuration(sent, per)) : epochOf(sent) + per.ms;
    if (expires > now) expiries.push(expires);
  }
  if (expiries.length < cap.messages) return at;
  expiries.sort((a, b) => a - b);
  return instantOf(expiries[expiries.length - cap.messages]!);
}
