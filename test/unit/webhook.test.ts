// The webhook seam: what the interpreter renders for a webhook step, called by the webhook activity
// against a real HTTP server. Secrets reach the request only where the playbook wrote `{{ env.NAME }}`;
// candidate and event data arrive as the text they are; what people read shows references, not secrets.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callWebhook, shownUrl, webhookSummary, type WebhookInput } from '../../src/activities/webhook.js';
import { startJourney, type StepContext, type Step } from '../../src/interpreter/index.js';
import { ada, expressions, MONDAY_9AM, playbook } from '../helpers/simulation.js';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server;
let base: string;
const received: Received[] = [];
beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(req.url?.startsWith('/refused') ? 422 : 201).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The webhook call the interpreter makes of a step, for a candidate and the enrolling event's data. */
function rendered(step: Extract<Step, { webhook: unknown }>['webhook'], candidate: object, data = {}) {
  const context: StepContext = { candidate, sentAt: [], expressions };
  const event = { id: 'e1', type: 'candidate.rejected', data };
  const { commands } = startJourney(
    'j1',
    playbook([{ id: 'tell-ats', webhook: step }]),
    MONDAY_9AM,
    context,
    {
      event,
    },
  );
  const call = commands.find((c) => c.type === 'webhook');
  if (call?.type !== 'webhook') throw new Error(`no webhook call in ${JSON.stringify(commands)}`);
  const { url, method, headers, body } = call;
  return { key: 'j1:tell-ats:0', url, method, headers, body } satisfies WebhookInput;
}

const env = { ATS_URL: '', ATS_TOKEN: 's3cret-token', DATABASE_URL: 'postgres://root:pw@db/rapport' };
const step = {
  url: '{{ env.ATS_URL }}/candidates/{{ candidate.id }}?name={{ candidate.first_name | url_encode }}',
  headers: { Authorization: 'Bearer {{ env.ATS_TOKEN }}', 'X-Name': '{{ candidate.first_name }}' },
  body: {
    name: '{{ candidate.first_name }}',
    reason: '{{ event.data.reason }}',
    signed: '{{ env.ATS_TOKEN | prepend: "sig-" }}',
  },
};

describe('a webhook step called by the webhook activity', () => {
  it('sends candidate and event data as text, and the secret only where the playbook wrote it', async () => {
    const name = '{{env:DATABASE_URL}} {{ env.DATABASE_URL }}';
    const reason = 'see {{env:ATS_TOKEN}}';
    const input = rendered(step, { ...ada, first_name: name }, { reason });
    received.length = 0;
    const result = await callWebhook(input, { ...env, ATS_URL: base });
    expect(result).toEqual({ status: 201 });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.method).toBe('POST');
    expect(new URL(request!.url, base).searchParams.get('name')).toBe(name);
    expect(request!.headers.authorization).toBe('Bearer s3cret-token');
    expect(request!.headers['x-name']).toBe(name);
    expect(request!.headers['idempotency-key']).toBe('j1:tell-ats:0');
    expect(JSON.parse(request!.body)).toEqual({ name, reason, signed: 'sig-s3cret-token' });
    const everything = JSON.stringify(request);
    expect(everything).not.toContain(env.DATABASE_URL);
    expect(everything.split('s3cret-token')).toHaveLength(3);
  });

  it('sends a NUL-delimited reference found in data as inert text', async () => {
    const input = rendered(step, { ...ada, first_name: 'Ada \u0000env:DATABASE_URL\u0000' });
    received.length = 0;
    await callWebhook(input, { ...env, ATS_URL: base });
    const body = JSON.parse(received[0]!.body) as { name: string };
    expect(body.name).toBe('Ada env:DATABASE_URL');
    expect(JSON.stringify(received)).not.toContain(env.DATABASE_URL);
  });

  it('shows the call with its references as written, never a secret and never NUL', () => {
    const input = rendered(step, ada);
    const readable = '{{ env.ATS_URL }}/candidates/c1?name=Ada';
    expect(shownUrl(input)).toBe(readable);
    expect(webhookSummary(input, { status: 201 })).toBe(`Called POST ${readable} → 201`);
  });

  it('fails without retrying when a variable is not set, naming it', async () => {
    const input = rendered(step, ada);
    const failure = await callWebhook(input, { ATS_URL: base }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ nonRetryable: true, type: 'MissingSecret' });
    expect((failure as Error).message).toBe('the webhook needs the environment variable ATS_TOKEN');
  });

  it('names a refused call by its references, and hides secrets the runtime quotes back', async () => {
    const refused = await callWebhook(rendered({ url: '{{ env.ATS_URL }}/refused' }, ada), {
      ATS_URL: base,
    }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ nonRetryable: true, type: 'WebhookRejected' });
    expect((refused as Error).message).toBe('webhook POST {{ env.ATS_URL }}/refused answered 422');

    const broken = await callWebhook(
      rendered({ url: 'http://a b.example/{{ env.ATS_TOKEN }}' }, ada),
      env,
    ).catch((e: unknown) => e);
    expect(broken).toMatchObject({ nonRetryable: false, type: 'WebhookUnreachable' });
    expect((broken as Error).message).toContain('{{ env.ATS_TOKEN }}');
    expect((broken as Error).message).not.toContain('s3cret-token');
  });
});
