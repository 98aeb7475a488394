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
