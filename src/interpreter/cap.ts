// The frequency cap: at most `messages` sends per period across all of a subject's playbooks.
import { addDuration, parseDuration } from './duration.js';
import type { SendingCap } from './types.js';

/** When the next send fits under the cap: `at` itself when it already fits. */
export function nextSlotUnderCap(at: string, cap: SendingCap, sentAt: readonly string[]): string {
  const per = parseDuration(cap.per);
  if (!per) throw new Error(`cap.per "${cap.per}" is not a duration`);
  // A message sent at t counts against the cap until t + per.
  const active = sentAt
    .map((t) => addDuration(t, per))
    .filter((expires) => expires > at)
    .sort();
  if (active.length < cap.messages) return at;
  return active[active.length - cap.messages]!;
}
