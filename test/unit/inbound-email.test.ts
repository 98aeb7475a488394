// Who may post replies to POST /inbound/email: only the inbound-mail provider, presenting the shared
// secret (basic auth's password or a bearer token), within its rate — refused before the body is read.
// Posts that get through and name no Rapport message are acknowledged and ignored, so no database is
// needed here; test/integration/api-messages.test.ts takes real replies.
import { describe, expect, it } from 'vitest';
import { inboundOperations } from '../../src/http/inbound.js';
import { answersOf } from '../../src/http/openapi.js';
import { presentedSecret } from '../../src/http/shared-secret.js';
import { operationsApp } from '../helpers/operations-app.js';

const SECRET = 'provider-secret';
const reply = { from: 'ada@example.com', text: 'Thanks!' };
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function poster(deps: { inboundEmailSecret?: string; rateLimit?: number }) {
  const app = operationsApp(inboundOperations, deps);
  return (authorization?: string, body: string = JSON.stringify(reply)) =>
    app.request('/inbound/email', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body,
    });
}

describe('POST /inbound/email', () => {
  it('takes the shared secret as the basic-auth password (any user name) or as a bearer token', async () => {
    const post = poster({ inboundEmailSecret: SECRET });
    for (const authorization of [basic('inbound', SECRET), basic('', SECRET), `Bearer ${SECRET}`]) {
      const res = await post(authorization);
      expect(res.status, authorization).toBe(202);
      expect(await res.json()).toMatchObject({ ignored: true });
    }
  });

  it.each([
    ['no credentials', undefined],
    ['a wrong password', basic('inbound', 'guess')],
    ['a wrong bearer token', 'Bearer guess'],
    ['the secret with more after it', `Bearer ${SECRET}x`],
    ['the secret as the basic-auth user name', basic(SECRET, '')],
    ['an API key scheme it does not know', `Token ${SECRET}`],
  ])(
    'answers 401 problem+json with a challenge to %s, before reading the body',
    async (_name, authorization) => {
      const res = await poster({ inboundEmailSecret: SECRET })(authorization, 'not even JSON');
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.headers.get('www-authenticate')).toBe(
        'Basic realm="rapport-inbound", Bearer realm="rapport-inbound"',
      );
      expect(await res.json()).toMatchObject({ status: 401, instance: '/inbound/email' });
    },
  );

  it('refuses every post while RAPPORT_INBOUND_EMAIL_SECRET is not set, whatever it presents', async () => {
    const post = poster({});
    for (const authorization of [undefined, 'Bearer ', `Bearer ${SECRET}`, basic('inbound', '')]) {
      const res = await post(authorization);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { detail: string }).detail).toContain('RAPPORT_INBOUND_EMAIL_SECRET');
    }
  });

  it('holds the provider to its rate: 429 with Retry-After once its burst is spent', async () => {
    const post = poster({ inboundEmailSecret: SECRET, rateLimit: 1 });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await post(`Bearer ${SECRET}`)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(202));
    const over = await post(`Bearer ${SECRET}`);
    expect(statuses[10]).toBe(429);
    expect(over.status).toBe(429);
    expect(over.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Posts without the secret spend nothing of the provider's rate: they are refused before it.
    const other = poster({ inboundEmailSecret: SECRET, rateLimit: 1 });
    for (let i = 0; i < 20; i++) expect((await other('Bearer guess')).status).toBe(401);
    expect((await other(`Bearer ${SECRET}`)).status).toBe(202);
  });

  it('documents every answer it gives', () => {
    const answers = answersOf(inboundOperations[0]!);
    expect(Object.keys(answers).sort()).toEqual(['202', '400', '401', '413', '415', '422', '429', '503']);
    expect(answers[401]!.headers).toHaveProperty('WWW-Authenticate');
    expect(answers[429]!.headers).toHaveProperty('Retry-After');
  });

  it('reads the secret from basic auth or a bearer token, and nothing else', () => {
    expect(presentedSecret(basic('u', 'p:with:colons'))).toBe('p:with:colons');
    expect(presentedSecret('bearer abc')).toBe('abc');
    expect(presentedSecret('Basic bm8tY29sb24=')).toBeUndefined(); // "no-colon"
    expect(presentedSecret('Digest abc')).toBeUndefined();
    expect(presentedSecret(undefined)).toBeUndefined();
  });
});
