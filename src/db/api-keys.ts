// API keys: `rk_<prefix>_<secret>`, shown once at creation and stored as a SHA-256 hash (the secret is
// 256 random bits, so a fast hash is enough); looked up by prefix, compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from './client.js';

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const hash = (key: string) => createHash('sha256').update(key).digest('hex');
const FORMAT = /^rk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** Creates a key; the returned `key` is the only time the secret is seen. */
export async function createApiKey(
  db: Db,
  input: { name: string; scopes: string[] },
): Promise<{ key: string } & ApiKey> {
  const prefix = randomBytes(6).toString('hex');
  const key = `rk_${prefix}_${randomBytes(32).toString('base64url')}`;
  const [row] = await db<ApiKey[]>`
    insert into api_keys (name, prefix, key_hash, scopes)
    values (${input.name}, ${prefix}, ${hash(key)}, ${input.scopes})
    returning id, name, prefix, scopes, created_at, last_used_at, revoked_at`;
  return { key, ...row! };
}

/** The key a request presented, if it exists and is not revoked. */
export async function verifyApiKey(db: Db, presented: string): Promise<ApiKey | undefined> {
  const match = FORMAT.exec(presented);
  if (!match) return undefined;
  const [row] = await db<(ApiKey & { key_hash: string })[]>`
    select id, name, prefix, scopes, created_at, last_used_at, revoked_at, key_hash
    from api_keys where prefix = ${match[1]!}`;
  if (!row || row.revoked_at) return undefined;
  const expected = Buffer.from(row.key_hash, 'hex');
  if (!timingSafeEqual(expected, Buffer.from(hash(presented), 'hex'))) return undefined;
  // Last use, to the minute: enough to find unused keys without a write per request.
  if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000)
    await db`update api_keys set last_used_at = now() where id = ${row.id}`;
  const { key_hash: _hash, ...key } = row;
  return key;
}

export async function listApiKeys(db: Db): Promise<ApiKey[]> {
  return db<ApiKey[]>`
    select id, name, prefix, scopes, created_at, last_used_at, revoked_at from api_keys order by created_at`;
}

/** Revokes the key with this prefix (or the full key); false when there is none. */
export async function revokeApiKey(db: Db, prefixOrKey: string): Promise<boolean> {
  const prefix = FORMAT.exec(prefixOrKey)?.[1] ?? prefixOrKey.replace(/^rk_/, '');
  const rows =
    await db`update api_keys set revoked_at = now() where prefix = ${prefix} and revoked_at is null`;
  return rows.count === 1;
}

export async function countActiveApiKeys(db: Db): Promise<number> {
  const [row] = await db<{ n: number }[]>`select count(*)::int as n from api_keys where revoked_at is null`;
  return row!.n;
}

/** The oldest active key with this name. */
export async function activeKeyNamed(db: Db, name: string): Promise<ApiKey | undefined> {
  const [row] = await db<ApiKey[]>`
    select id, name, prefix, scopes, created_at, last_used_at, revoked_at from api_keys
    where name = ${name} and revoked_at is null order by created_at, id limit 1`;
  return row;
}
