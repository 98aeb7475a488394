// Whether a message may go out: the one decision per send, made by whoever delivers it — the send
// activity with the candidate as they are at delivery, the simulator with the sample candidate. A
// notification to the owner is about the candidate, not to them: their consent does not apply.
import { ownerOf } from './owner.js';
import type { Channel } from './types.js';

export type ConsentRefusal = 'unsubscribed' | 'no-consent';
export type SendRefusal = ConsentRefusal | 'no-address';

interface Recipient {
  email?: string | null | undefined;
  phone?: string | null | undefined;
  owner?: unknown;
  unsubscribed_at?: string | Date | null | undefined;
  consent?: { email?: boolean; sms?: boolean } | undefined;
}

export function consentRefusal(
  candidate: Pick<Recipient, 'unsubscribed_at' | 'consent'>,
  channel: Channel,
  to: 'candidate' | 'owner',
): ConsentRefusal | undefined {
  if (to === 'owner') return undefined;
  if (candidate.unsubscribed_at) return 'unsubscribed';
  return candidate.consent?.[channel] ? undefined : 'no-consent';
}

/** Where a send goes: the owner's address for a notification, else the candidate's for the channel. */
export function sendAddress(
  send: { channel: Channel; to: 'candidate' | 'owner'; playbookOwner?: string | undefined },
  candidate: Recipient,
): string | undefined {
  if (send.to === 'owner') return ownerOf({ owner: send.playbookOwner }, candidate);
  return (send.channel === 'sms' ? candidate.phone : candidate.email) ?? undefined;
}

/** The decision: the address to deliver to, or why the send is suppressed. */
export function decideSend(
  send: { channel: Channel; to: 'candidate' | 'owner'; playbookOwner?: string | undefined },
  candidate: Recipient,
): { address: string | undefined; refused: SendRefusal | undefined } {
  const address = sendAddress(send, candidate);
  const refused = consentRefusal(candidate, send.channel, send.to) ?? (address ? undefined : 'no-address');
  return { address, refused };
}
