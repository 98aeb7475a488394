// Console sessions: a person signed in with an API key. The browser holds a random token (its SHA-256
// hash is stored); the session carries the key's scopes and a CSRF token for its forms, and ends when
// it expires, when the key is revoked, or at sign-out.
import { createHash, randomBytes } from 'node:crypto';
import type { ApiKey } from './api-keys.js';
import type { Db } from './client.js';

export interface ConsoleSession {
  key: ApiKey;
  csrf: string;
  expiresAt: Date;
}

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/** Opens a session for the key; the returned token goes to the browser only. */
export async function openSession(
  db: Db,
  apiKeyId: string,
  ttlMs: number,
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlMs);
  await db`
    insert into console_sessions (token_hash, api_key_id, csrf, expires_at)
    values (${hash(token)}, ${apiKeyId}, ${randomBytes(24).toString('base64url')}, ${expiresAt})`;
  // Expired sessions go as new ones come.
  await db`delete from console_sessions where expires_at < now()`;
  return { token, expiresAt };
}

/** The session of this token, if it has not expired and its key is not revoked. */
export async function sessionOf(db: Db, token: string): Promise<ConsoleSession | undefined> {
  const [row] = await db<(ApiKey & { csrf: string; expires_at: Date })[]>`
    select k.id, k.name, k.prefix, k.scopes, k.created_at, k.last_used_at, k.revoked_at, s.csrf, s.expires_at
    from console_sessions s join api_keys k on k.id = s.api_key_id
    where s.token_hash = ${hash(token)} and s.expires_at > now() and k.revoked_at is null`;
  if (!row) return undefined;
  const { csrf, expires_at, ...key } = row;
  return { key, csrf, expiresAt: expires_at };
}

export async function closeSession(db: Db, token: string): Promise<void> {
  await db`delete from console_sessions where token_hash = ${hash(token)}`;
}

/** A one-time sign-in link's token for the key, valid for `ttlMs`; only its hash is stored. */
export async function createSignInLink(db: Db, apiKeyId: string, ttlMs: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db`
    insert into sign_in_links (token_hash, api_key_id, expires_at)
    values (${hash(token)}, ${apiKeyId}, now() + make_interval(secs => ${ttlMs / 1000}))`;
  await db`delete from sign_in_links where expires_at < now()`;
  return token;
}

/** The key a sign-in link would sign in with, if it is unused, unexpired and its key is not revoked. */
export async function signInLinkKey(db: Db, token: string): Promise<ApiKey | undefined> {
  const [row] = await db<ApiKey[]>`
    select k.id, k.name, k.prefix, k.scopes, k.created_at, k.last_used_at, k.revoked_at
    from sign_in_links l join api_keys k on k.id = l.api_key_id
    where l.token_hash = ${hash(token)} and l.used_at is null and l.expires_at > now() and k.revoked_at is null`;
  return row;
}

/** Uses a sign-in link: its key's id, once; undefined when it was used, expired, or its key revoked. */
export async function redeemSignInLink(db: Db, token: string): Promise<string | undefined> {
  const [row] = await db<{ api_key_id: string }[]>`
    update sign_in_links l set used_at = now()
    from api_keys k
    where l.token_hash = ${hash(token)} and l.used_at is null and l.expires_at > now()
      and k.id = l.api_key_id and k.revoked_at is null
    returning l.api_key_id`;
  return row?.api_key_id;
}
