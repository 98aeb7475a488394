// Whether a message may go to the candidate: the one rule, asked by the interpreter when the send step
// runs and by the send activity again at delivery, with the candidate as they are then. A notification
// to the owner is about the candidate, not to them: their consent does not apply.
import type { Channel } from './types.js';

export type ConsentRefusal = 'unsubscribed' | 'no-consent';

export function consentRefusal(
  candidate: { unsubscribed_at?: string | Date | null; consent?: { email?: boolean; sms?: boolean } },
  channel: Channel,
  to: 'candidate' | 'owner',
): ConsentRefusal | undefined {
  if (to === 'owner') return undefined;
  if (candidate.unsubscribed_at) return 'unsubscribed';
  return candidate.consent?.[channel] ? undefined : 'no-consent';
}
