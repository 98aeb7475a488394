// Job-board and ATS webhooks: verify the source's HMAC-SHA256 signature over the raw body (with the
// timestamp, when the source sends one, inside a replay window), then map the payload to a Rapport
// event with the source's rules (pipelines/sources/<source>.yaml).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Liquid } from 'liquidjs';
import type { EventInput } from '../domain.js';
import { registerFilters } from '../expressions/filters.js';
import type { SourceMapping } from '../playbook/sources.js';

/** How far a signed timestamp may be from now, either way. */
export const REPLAY_WINDOW_S = 5 * 60;

export type Verification =
  | { ok: true; /** The signature, to refuse the same signed request twice. */ signature: string | undefined }
  | { ok: false; status: 401 | 503; detail: string };

export function verifySignature(
  mapping: SourceMapping,
  rawBody: string,
  header: (name: string) => string | undefined,
  env: NodeJS.ProcessEnv,
  nowMs: number,
): Verification {
  const spec = mapping.signature;
  if (!spec) return { ok: true, signature: undefined };
  const secretName =
    spec.secret_env ?? `RAPPORT_SOURCE_${mapping.source.toUpperCase().replace(/-/g, '_')}_SECRET`;
  const secret = env[secretName];
  if (!secret)
    return {
      ok: false,
      status: 503,
      detail: `The source ${mapping.source} has no secret: set ${secretName}.`,
    };
  const presented = header(spec.header);
  if (!presented) return { ok: false, status: 401, detail: `The ${spec.header} header is missing.` };
  let signed = rawBody;
  if (spec.timestamp_header) {
    const timestamp = header(spec.timestamp_header);
    if (!timestamp || !/^\d{1,12}$/.test(timestamp))
      return { ok: false, status: 401, detail: `The ${spec.timestamp_header} header must be Unix seconds.` };
    if (Math.abs(nowMs / 1000 - Number(timestamp)) > REPLAY_WINDOW_S)
      return {
        ok: false,
        status: 401,
        detail: `The request is older than ${REPLAY_WINDOW_S} s (or from the future).`,
      };
    signed = `${timestamp}.${rawBody}`;
  }
  const digest = createHmac('sha256', secret)
    .update(signed)
    .digest(spec.encoding ?? 'hex');
  const expected = Buffer.from(`${spec.prefix ?? ''}${digest}`);
  const given = Buffer.from(presented.trim());
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, status: 401, detail: `The ${spec.header} signature does not match the body.` };
  return { ok: true, signature: spec.timestamp_header ? presented.trim() : undefined };
}

const liquid = registerFilters(new Liquid({ strictFilters: true }));

/**
 * The event a payload becomes: the first rule whose `when` holds, rendered over `payload` and `headers`
 * (lower-case names). Undefined when no rule matches (a kind of notification Rapport does not use).
 */
export function mapPayload(
  mapping: SourceMapping,
  payload: unknown,
  headers: Record<string, string>,
): Omit<EventInput, 'source'> | undefined {
  const scope = { payload, headers };
  const render = (text: string) => String(liquid.parseAndRenderSync(text, scope)).trim();
  for (const rule of mapping.events) {
    if (render(`{% if ${rule.when} %}yes{% endif %}`) !== 'yes') continue;
    const candidate = Object.fromEntries(
      Object.entries(rule.candidate)
        .map(([key, template]) => [key, render(template)] as const)
        .filter(([, value]) => value !== ''),
    );
    const id = rule.id === undefined ? '' : render(rule.id);
    const occurredAt = rule.occurred_at === undefined ? '' : render(rule.occurred_at);
    const data = rule.data_from
      ? (liquid.evalValueSync(rule.data_from, scope) as unknown)
      : rule.data && renderDeep(rule.data, render);
    return {
      type: render(rule.type),
      ...(id ? { id } : {}),
      ...(occurredAt ? { occurred_at: occurredAt } : {}),
      candidate: candidate as unknown as EventInput['candidate'] & object,
      ...(data && typeof data === 'object' && !Array.isArray(data)
        ? { data: data as Record<string, unknown> }
        : {}),
    };
  }
  return undefined;
}

function renderDeep(value: unknown, render: (t: string) => string): unknown {
  if (typeof value === 'string') return render(value);
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, render));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, render)]));
  return value;
}
