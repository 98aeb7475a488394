// Hostile requests for the hostile-input suite (test/integration/hostile-api.test.ts): for any operation
// of the route table, fast-check requests with path ids that traverse or are not ids, hostile query
// values, and bodies of its own shape with hostile text, random JSON, malformed JSON, JSON nested
// hundreds of thousands of levels, wrong media types; bodies of megabytes that arrive in chunks; and
// webhook payloads signed each shipped vendor's way.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import type { Operation } from '../../src/http/operation.js';
import { hostileString, storableHostileString } from './hostile.js';
import { shapedBy } from './schema-arbitrary.js';
import { SECRETS, VENDORS, type Person, type Vendor } from './vendors.js';

export interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | ReadableStream<Uint8Array>;
}

/** What requests are made with: resources that exist, and who the request comes as. */
export interface RequestContext {
  /** A valid value for a path parameter of the operation, when there is one. */
  validParam(op: Operation, name: string): string | undefined;
  credentials(op: Operation): Record<string, string>;
  /** The console session's CSRF token, which its forms carry. */
  csrf(): string;
}

// prettier-ignore
export const TRAVERSALS = [
  '..', '../', '..%2f', '%2e%2e%2f', '%2e%2e', '..%252f', '%252e%252e%252f', '%c0%ae%c0%ae%2f', '....//',
  '..%5c..%5c', '%00', '%2500', 'x%00y', '%', '%zz', '%ff%fe', '%u002e', ';', '%3b', '%20', '+', '~',
  'a'.repeat(10_000), encodeURIComponent('../../../../etc/passwd'), encodeURIComponent('\u0000'),
  '%ed%a0%80', '%ed%b0%80', '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF', encodeURIComponent("' or 1=1 --"),
];

/** A string as a path segment: percent-encoded, a lone surrogate as the bytes UTF-8 would give it. */
const percentEncoded = (s: string) =>
  s.replace(/[\s\S]/gu, (c) => (/[\ud800-\udfff]/.test(c) ? '%ed%a0%80' : encodeURIComponent(c)));

const paramArb = (op: Operation, name: string, ctx: RequestContext): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(encodeURIComponent(ctx.validParam(op, name) ?? 'x')) },
    { weight: 2, arbitrary: fc.constantFrom(...TRAVERSALS) },
    { weight: 1, arbitrary: hostileString.map(percentEncoded).filter((s) => s !== '') },
    { weight: 1, arbitrary: fc.uuid() },
  );

const queryValue = fc.oneof(
  hostileString,
  fc.constantFrom('-1', '0', '1', '201', '1e309', '1.5', 'true', '', 'null', '[]', 'a'.repeat(5000)),
  fc.uuid(),
);
const queryArb = (op: Operation): fc.Arbitrary<string> => {
  const names = [...Object.keys(op.query ?? {}), 'x', '__proto__'];
  return fc.oneof(
    fc.array(fc.tuple(fc.constantFrom(...names), queryValue), { maxLength: 4 }).map((pairs) => {
      const query = new URLSearchParams();
      for (const [k, v] of pairs) query.append(k, v);
      return pairs.length ? `?${query.toString()}` : '';
    }),
    fc
      .tuple(fc.constantFrom(...names), fc.constantFrom(...TRAVERSALS, '%00', '%', '&&&', '=', '%3D%3D'))
      .map(([k, v]) => `?${k}=${v}`),
  );
};

// prettier-ignore
export const MALFORMED_JSON = [
  '', '{', '}', '[', '{"a":', '{"a":1,}', '[1,]', "{'a': 1}", '{"a": NaN}', '{"a": Infinity}', 'undefined',
  '\ufeff{}', '{"a": "\\ud800"}', '{"a": "\\u0000"}', '{"a": "\\x00"}', '{"__proto__": {"admin": true}}',
  '{"a": 1} {"b": 2}', '{"a": 1e99999}', '"just a string"', '42', 'null', 'true', '\u0000', '{"a":"b"'.repeat(1000),
];
// prettier-ignore
const WRONG_TYPES = [
  'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx',
  'application/xml', 'application/json; charset=utf-16', 'application/vnd.rapport+json', 'text/json', '',
  '*/*', 'application/yaml',
];

/** Deep nesting in JSON: thousands of levels, within the body limit. */
export const deepJson = fc
  .tuple(fc.integer({ min: 100, max: 400_000 }), fc.constantFrom('[', '{"a":'), fc.boolean())
  .map(([n, open, closed]) => {
    const close = open === '[' ? ']' : '}';
    return `${open.repeat(n)}1${closed ? close.repeat(n) : ''}`;
  });

const YAMLISH = fc
  .array(
    fc.oneof(
      fc.constantFrom('\n', '- ', ': ', '[', ']', '{', '}', '&a ', '*a', 'steps', 'playbook'),
      hostileString,
    ),
    {
      maxLength: 40,
    },
  )
  .map((parts) => parts.join(''));
const CSV = fc
  .array(fc.array(fc.oneof(hostileString, fc.emailAddress(), fc.uuid()), { maxLength: 4 }), { maxLength: 6 })
  .map((rows) =>
    rows.map((cells) => cells.map((c) => (c.includes(',') ? `"${c}"` : c)).join(',')).join('\r\n'),
  );

interface Body {
  type?: string;
  text: string;
}

function bodyArb(op: Operation, ctx: RequestContext): fc.Arbitrary<Body | undefined> {
  const spec = op.body;
  if (op.method === 'get') return fc.constant(undefined);
  const wrongType = (text: string) => fc.constantFrom(...WRONG_TYPES).map((type) => ({ type, text }));
  if (!spec)
    return fc.option(
      fc.jsonValue().map((v) => ({ type: 'application/json', text: JSON.stringify(v) })),
      { nil: undefined },
    );
  if ('text' in spec) {
    const text = spec.text.includes('text/csv') || op.path.endsWith('/import') ? CSV : YAMLISH;
    return fc.oneof(
      {
        weight: 3,
        arbitrary: fc.tuple(text, fc.constantFrom(...spec.text)).map(([t, type]) => ({ type, text: t })),
      },
      { weight: 1, arbitrary: text.chain(wrongType) },
    );
  }
  if ('form' in spec) {
    const fields = shapedBy(spec.form, storableHostileString).map((value) => {
      const form = new URLSearchParams();
      for (const [k, v] of Object.entries(value as Record<string, unknown>))
        for (const each of [v].flat()) form.append(k, typeof each === 'string' ? each : JSON.stringify(each));
      if ('session' in op.access) form.set('_csrf', ctx.csrf());
      return form.toString();
    });
    return fc.oneof(
      { weight: 4, arbitrary: fields.map((text) => ({ type: 'application/x-www-form-urlencoded', text })) },
      { weight: 1, arbitrary: fields.chain(wrongType) },
    );
  }
  const json = 'application/json';
  return fc.oneof(
    { weight: 6, arbitrary: shapedJson(spec.json).map((text) => ({ type: json, text })) },
    {
      weight: 1,
      arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => ({ type: json, text: JSON.stringify(v) })),
    },
    { weight: 1, arbitrary: fc.constantFrom(...MALFORMED_JSON).map((text) => ({ type: json, text })) },
    { weight: 1, arbitrary: deepJson.map((text) => ({ type: json, text })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).chain((v) => wrongType(JSON.stringify(v))) },
  );
}

/**
 * A body of one of the schemas, its strings hostile: mostly text PostgreSQL can store, so that it gets
 * past the door to the handler and the database; sometimes any text, which the door refuses.
 */
export function shapedJson(schemas: string | readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...[schemas].flat()), fc.boolean())
    .chain(([schema, storable]) => shapedBy(schema, storable ? storableHostileString : hostileString))
    .map((v) => JSON.stringify(v));
}

/** Hostile requests to one operation. */
export function requestArb(op: Operation, ctx: RequestContext): fc.Arbitrary<Sent> {
  const names = op.path.match(/\{(\w+)\}/g)?.map((p) => p.slice(1, -1)) ?? [];
  return fc
    .record({
      params: fc.tuple(...names.map((n) => paramArb(op, n, ctx))),
      query: queryArb(op),
      body: bodyArb(op, ctx),
    })
    .map(({ params, query, body }) => {
      const url = names.reduce((p, n, i) => p.replace(`{${n}}`, params[i]!), op.path) + query;
      return {
        method: op.method.toUpperCase(),
        url,
        headers: { ...ctx.credentials(op), ...(body?.type ? { 'content-type': body.type } : {}) },
        ...(body ? { body: body.text } : {}),
      };
    });
}

/** A body of `bytes` bytes that arrives in chunks, without Content-Length. */
export function chunked(bytes: number): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
  let left = bytes;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (left <= 0) return controller.close();
      controller.enqueue(chunk.subarray(0, Math.min(left, chunk.length)));
      left -= chunk.length;
    },
  });
}

// — Vendor webhooks, signed the vendor's way.

const hmacHex = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex');
const GENERIC_SECRET = 'generic-secret';
/** The secrets of the sources the tests sign for, as the environment gives them. */
export const SOURCE_SECRETS = { ...SECRETS, RAPPORT_SOURCE_GENERIC_SECRET: GENERIC_SECRET };

/** Signs any body as each source signs its webhooks (Lever signs a token inside the body instead). */
export const SIGNERS: Record<string, (body: string) => Record<string, string>> = {
  generic: (body) => {
    const ts = String(Math.floor(Date.now() / 1000));
    return {
      'X-Rapport-Timestamp': ts,
      'X-Rapport-Signature': `sha256=${hmacHex(GENERIC_SECRET, `${ts}.${body}`)}`,
    };
  },
  greenhouse: (body) => ({ Signature: `sha256 ${hmacHex(SECRETS.RAPPORT_SOURCE_GREENHOUSE_SECRET, body)}` }),
  ashby: (body) => ({ 'Ashby-Signature': `sha256=${hmacHex(SECRETS.RAPPORT_SOURCE_ASHBY_SECRET, body)}` }),
  workable: (body) => ({ 'X-Workable-Signature': hmacHex(SECRETS.RAPPORT_SOURCE_WORKABLE_SECRET, body) }),
  recruitee: (body) => ({ 'X-Recruitee-Signature': hmacHex(SECRETS.RAPPORT_SOURCE_RECRUITEE_SECRET, body) }),
};

const personArb: fc.Arbitrary<Person> = fc.record({
  email: fc.oneof(fc.emailAddress(), hostileString),
  first: hostileString,
  last: hostileString,
  id: fc.oneof(hostileString, fc.nat().map(String)),
});
const jobArb = fc.record({ id: fc.oneof(hostileString, fc.nat().map(String)), title: hostileString });

/** A vendor's delivery (application, stage change, rejection, hire, ping) of hostile people and jobs. */
export const hostileDelivery = fc
  .record({
    // Not Lever, whose events need its API read afterwards.
    vendor: fc.constantFrom(...VENDORS.filter((v) => v.source !== 'lever')),
    kind: fc.nat(4),
    person: personArb,
    job: jobArb,
    reason: hostileString,
  })
  .map(({ vendor, kind, person, job, reason }) => ({
    source: vendor.source,
    ...delivery(vendor, kind, person, job, reason),
  }));

function delivery(vendor: Vendor, kind: number, p: Person, j: { id: string; title: string }, reason: string) {
  const stage = { name: reason, type: reason };
  return [
    () => vendor.application(p, j),
    () => vendor.stageChange(p, j, stage),
    () => vendor.rejection(p, j, reason, stage),
    () => vendor.hire(p, j),
    () => vendor.ping(),
  ][kind]!();
}

/** Header values a client can send at all (a Headers object refuses CR, LF and NUL, and non-Latin-1). */
export function sanitizedHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k, v.replace(/[^\u0020-\u007e\u00a0-\u00ff\t]/g, '?')]),
  );
}
