// Signed webhook requests remembered by their nonce (a single-use token, or the signature of a timestamped
// request) for as long as their signature is accepted: the same nonce with the same body is the sender
// delivering again, with another body a replay of a captured signature.
import { createHash } from 'node:crypto';
import type { Db } from './client.js';

export type Seen = 'first' | 'redelivery' | 'replay';

/** Records a signed request's nonce; says whether it was seen before, and with the same body. */
export async function rememberNonce(
  db: Db,
  source: string,
  nonce: string,
  /** The body as compared: the same text for the same payload. */
  body: string,
  ttlS: number,
): Promise<Seen> {
  const digest = createHash('sha256').update(body).digest('hex');
  await db`delete from webhook_deliveries where expires_at < now()`;
  const inserted = await db`
    insert into webhook_deliveries (source, signature, body_digest, expires_at)
    values (${source}, ${nonce}, ${digest}, now() + make_interval(secs => ${ttlS}))
    on conflict do nothing`;
  if (inserted.count === 1) return 'first';
  const [row] = await db<{ body_digest: string | null }[]>`
    select body_digest from webhook_deliveries where source = ${source} and signature = ${nonce}`;
  return row?.body_digest === digest ? 'redelivery' : 'replay';
}
