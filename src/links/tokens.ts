// Signed link tokens for public pages and replies: `<payload>.<signature>`, both base64url, the
// signature an HMAC-SHA256 of the payload with the link secret (settings table). A token names what it
// is for and the message it came with (and, for a tracked link, where it leads); nothing else about the
// candidate is in it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/client.js';
import { linkSecret } from '../db/settings.js';
import { RSVP_ANSWERS, type RsvpAnswer } from '../domain.js';

/**
 * What a token is for, and the outbox message (`m`) it was sent in:
 * - `u`: unsubscribe;
 * - `t`: a tracked link to the URL `u` (a click is recorded, then redirected there);
 * - `e`: an answer link: clicking it is the event `e` (e.g. candidate.open_to_work);
 * - `r`: the message's Message-ID, so a reply (In-Reply-To) names the message it answers;
 * - `v`: an RSVP link: clicking it answers `a` (yes, no, maybe) to the recruiting event `v`.
 */
export type LinkClaims =
  | { k: 'u'; m: string }
  | { k: 't'; m: string; u: string }
  | { k: 'e'; m: string; e: string }
  | { k: 'r'; m: string }
  | { k: 'v'; m: string; v: string; a: RsvpAnswer };

function isClaims(value: unknown): value is LinkClaims {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  if (typeof c.m !== 'string') return false;
  switch (c.k) {
    case 'u':
    case 'r':
      return true;
    case 't':
      return typeof c.u === 'string';
    case 'e':
      return typeof c.e === 'string';
    case 'v':
      return typeof c.v === 'string' && (RSVP_ANSWERS as readonly unknown[]).includes(c.a);
    default:
      return false;
  }
}

export interface LinkSigner {
  sign(claims: LinkClaims): string;
  /** The claims of a token signed with this secret for that kind of use, else undefined. */
  verify<K extends LinkClaims['k']>(token: string, kind: K): Extract<LinkClaims, { k: K }> | undefined;
}

export function linkSigner(secret: string): LinkSigner {
  const mac = (payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');
  return {
    sign: (claims) => {
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
      return `${payload}.${mac(payload)}`;
    },
    verify: <K extends LinkClaims['k']>(token: string, kind: K) => {
      const match = /^([A-Za-z0-9_-]{1,4000})\.([A-Za-z0-9_-]{43})$/.exec(token);
      if (!match) return undefined;
      const [, payload, signature] = match;
      const expected = Buffer.from(mac(payload!));
      if (!timingSafeEqual(expected, Buffer.from(signature!))) return undefined;
      try {
        const claims: unknown = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
        return isClaims(claims) && claims.k === kind ? (claims as Extract<LinkClaims, { k: K }>) : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/** The signer with the database's link secret (made by a migration, shared by every process). */
export async function loadLinkSigner(db: Db): Promise<LinkSigner> {
  const secret = await linkSecret(db);
  if (!secret) throw new Error('the link secret is missing: run `rapport migrate`');
  return linkSigner(secret);
}
