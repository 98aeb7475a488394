// A shared secret an outside service presents on a public operation instead of an API key: the password
// of HTTP basic auth (any user name; a provider such as Postmark takes it in the webhook's URL,
// `https://inbound:<secret>@rapport.example/inbound/email`) or a bearer token. Compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';

/** The secret an `Authorization` header presents: basic auth's password, or the bearer token. */
export function presentedSecret(authorization: string | undefined): string | undefined {
  const match = /^(\w+) +(\S+) *$/.exec(authorization ?? '');
  if (!match) return undefined;
  const [, scheme, value] = match as unknown as [string, string, string];
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

/** Whether the presented secret is the configured one; the time taken says nothing of either. */
export function secretMatches(presented: string, secret: string): boolean {
  // Digests have one length, so neither the comparison nor its refusal tells the secret's length.
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(presented), digest(secret));
}
