// What erasure keeps of a person: keyed digests of their identities (see 0019_erased_identities.sql), so
// that an event from before the erasure which names them is recognised and refused before any write.
import { createHmac } from 'node:crypto';
import type { Db } from './client.js';
import { linkSecret } from './settings.js';

/** The ways an event names a candidate: their email, or a source's id for them. */
export interface Identities {
  email?: string | null | undefined;
  external?: { source: string; id: string }[];
}

const secrets = new WeakMap<Db, Promise<string>>();

async function secretOf(db: Db): Promise<string> {
  let secret = secrets.get(db);
  if (!secret) {
    secret = linkSecret(db).then((s) => {
      if (!s) throw new Error('the link secret is missing: run `rapport migrate`');
      return s;
    });
    secrets.set(db, secret);
  }
  return secret;
}

/** The keyed digests of the identities (email normalized as the candidates table does). */
export async function identityDigests(db: Db, who: Identities): Promise<string[]> {
  const secret = await secretOf(db);
  const mac = (text: string) => createHmac('sha256', secret).update(text).digest('base64url');
  const email = who.email?.trim().toLowerCase();
  return [
    ...(email ? [mac(`email\n${email}`)] : []),
    ...(who.external ?? []).map((x) => mac(`external\n${x.source}\n${x.id}`)),
  ];
}

/** Records that the candidate's identities were erased now: call before their email and ids are scrubbed. */
export async function rememberErasure(db: Db, candidateId: string): Promise<void> {
  const [row] = await db<{ email: string | null }[]>`
    select email_normalized as email from candidates where id = ${candidateId}`;
  const external = await db<{ source: string; id: string }[]>`
    select source, external_id as id from candidate_external_ids where candidate_id = ${candidateId}`;
  const digests = await identityDigests(db, { email: row?.email, external });
  if (!digests.length) return;
  await db`
    insert into erased_identities (digest, erased_at) select unnest(${digests}::text[]), now()
    on conflict (digest) do update set erased_at = greatest(erased_identities.erased_at, excluded.erased_at)`;
}

/** When the latest erasure of any of these identities happened, if any was erased. */
export async function erasedAt(db: Db, digests: string[]): Promise<Date | undefined> {
  if (!digests.length) return undefined;
  const [row] = await db<{ at: Date | null }[]>`
    select max(erased_at) as at from erased_identities where digest = any(${digests}::text[])`;
  return row?.at ?? undefined;
}
