// Verifying a source's signature: HMAC-SHA256 with the source's shared secret over the body's bytes exactly
// as received (never text decoded and encoded again, which a byte-order mark or a byte that is not UTF-8
// would change) — or over the text the mapping's `signed` gives (Lever signs `token + triggeredAt`) — found
// in a header or in a body field. A signed timestamp must be within the mapping's window; a nonce (or the
// signature of a timestamped request) names the request, so that the same one with another body is
// refused as a replay. A mapping that does not say `unsigned: true` takes no request without a signature.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SourceMapping } from '../playbook/sources.js';
import { sourceLiquid } from './liquid.js';

/** How far a signed timestamp may be from now, either way, unless the mapping says otherwise. */
const REPLAY_WINDOW_S = 5 * 60;

export interface SignedRequest {
  /** The body's bytes as received. */
  raw: Uint8Array;
  /** The parsed body; undefined when it is not JSON. */
  payload: unknown;
  /** Lower-case names. */
  headers: Record<string, string>;
}

export type Verification =
  | {
      ok: true;
      /** What names this request for replay protection, and how long to remember it. */
      nonce?: { value: string; ttlS: number };
    }
  | { ok: false; status: 401 | 503; detail: string };

/** The environment variable with a source's secret. */
function secretName(mapping: SourceMapping): string | undefined {
  if (!mapping.signature) return undefined;
  return (
    mapping.signature.secret_env ?? `RAPPORT_SOURCE_${mapping.source.toUpperCase().replace(/-/g, '_')}_SECRET`
  );
}

/** Whether the source's secret is set (a source that says `unsigned: true` needs none). */
export function secretConfigured(mapping: SourceMapping, env: NodeJS.ProcessEnv): boolean {
  const name = secretName(mapping);
  return name === undefined ? mapping.unsigned === true : !!env[name]?.trim();
}

export function verifySignature(
  mapping: SourceMapping,
  request: SignedRequest,
  env: NodeJS.ProcessEnv,
  nowMs: number,
): Verification {
  const spec = mapping.signature;
  if (!spec) {
    if (mapping.unsigned === true) return { ok: true };
    return {
      ok: false,
      status: 503,
      detail: `The source ${mapping.source} says neither how it signs nor that it is unsigned.`,
    };
  }
  const name = secretName(mapping)!;
  // Several secrets, comma-separated: a vendor with one per event (Lever), or a secret being rotated.
  const secrets = (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!secrets.length)
    return { ok: false, status: 503, detail: `The source ${mapping.source} has no secret: set ${name}.` };
  const raw = Buffer.from(request.raw.buffer, request.raw.byteOffset, request.raw.byteLength);
  const scope = { payload: request.payload, headers: request.headers, body: new TextDecoder().decode(raw) };
  const render = (text: string) => String(sourceLiquid.parseAndRenderSync(text, scope)).trim();
  const where = spec.header ? `The ${spec.header} header` : `The body field ${spec.field}`;
  const presented = spec.header
    ? request.headers[spec.header.toLowerCase()]
    : fieldOf(request.payload, spec.field!);
  if (!presented) return { ok: false, status: 401, detail: `${where} is missing.` };

  // A `signed` template gives text, signed as UTF-8; by default the bytes themselves are signed.
  let signed: Buffer = spec.signed === undefined ? raw : Buffer.from(render(spec.signed));
  const maxAge = spec.max_age_s ?? REPLAY_WINDOW_S;
  let timestamp: string | undefined;
  if (spec.timestamp_header || spec.timestamp) {
    timestamp = spec.timestamp_header
      ? request.headers[spec.timestamp_header.toLowerCase()]
      : render(spec.timestamp!);
    const what = spec.timestamp_header ? `The ${spec.timestamp_header} header` : 'The signed timestamp';
    const unit = spec.timestamp_unit ?? 's';
    // No leading zeros: a signed `token + triggeredAt` must not be re-cut into another token and time.
    if (!timestamp || !/^[1-9]\d{0,14}$/.test(timestamp))
      return {
        ok: false,
        status: 401,
        detail: `${what} must be Unix time in ${unit === 's' ? 'seconds' : 'milliseconds'}.`,
      };
    const seconds = Number(timestamp) / (unit === 'ms' ? 1000 : 1);
    if (Math.abs(nowMs / 1000 - seconds) > maxAge)
      return {
        ok: false,
        status: 401,
        detail: `The request is older than ${maxAge} s (or from the future): ${what.toLowerCase()} is ${timestamp}.`,
      };
    if (spec.timestamp_header && spec.signed === undefined)
      signed = Buffer.concat([Buffer.from(`${timestamp}.`), raw]);
  }
  const given = Buffer.from(presented.trim());
  const matches = (secret: string) => {
    const digest = createHmac('sha256', secret)
      .update(signed)
      .digest(spec.encoding ?? 'hex');
    const expected = Buffer.from(`${spec.prefix ?? ''}${digest}`);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  if (!secrets.some(matches))
    return { ok: false, status: 401, detail: `${where} does not match the signed content.` };

  const ttlS = 2 * maxAge;
  if (spec.nonce !== undefined) {
    const value = render(spec.nonce);
    if (!value) return { ok: false, status: 401, detail: 'The request carries no single-use token.' };
    return { ok: true, nonce: { value, ttlS } };
  }
  return timestamp === undefined ? { ok: true } : { ok: true, nonce: { value: presented.trim(), ttlS } };
}

function fieldOf(payload: unknown, path: string): string | undefined {
  let value: unknown = payload;
  for (const key of path.split('.')) {
    if (!value || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' ? value : undefined;
}
