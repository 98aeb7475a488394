// Signed link tokens for public pages (unsubscribe): `<payload>.<signature>`, both base64url, the
// signature an HMAC-SHA256 of the payload with the link secret (settings table). A token names what it
// is for and the message it came with; nothing else about the candidate is in it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/client.js';

export interface LinkClaims {
  /** What the link does: `u` unsubscribe. */
  k: 'u';
  /** The outbox message the link was sent in. */
  m: string;
}

export interface LinkSigner {
  sign(claims: LinkClaims): string;
  verify(token: string): LinkClaims | undefined;
}

export function linkSigner(secret: string): LinkSigner {
  const mac = (payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');
  return {
    sign: (claims) => {
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
      return `${payload}.${mac(payload)}`;
    },
    verify: (token) => {
      const match = /^([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{43})$/.exec(token);
      if (!match) return undefined;
      const [, payload, signature] = match;
      const expected = Buffer.from(mac(payload!));
      if (!timingSafeEqual(expected, Buffer.from(signature!))) return undefined;
      try {
        const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as LinkClaims;
        return claims.k === 'u' && typeof claims.m === 'string' ? claims : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/** The signer with the database's link secret (made by a migration, shared by every process). */
export async function loadLinkSigner(db: Db): Promise<LinkSigner> {
  const [row] = await db<{ value: string }[]>`select value from settings where key = 'link_secret'`;
  if (!row) throw new Error('the link secret is missing: run `rapport migrate`');
  return linkSigner(row.value);
}
