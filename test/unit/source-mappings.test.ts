// The shipped source mappings on payloads written from each vendor's documentation: signed the vendor's
// way, mapped to the event and the hiring-progress vocabulary the playbooks read (no database, no
// Temporal; test/integration/ats-sources.test.ts drives the same payloads through the real stack).
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSources, validateSources, type SourceMapping } from '../../src/playbook/sources.js';
import { secretConfigured, verifySignature } from '../../src/sources/signature.js';
import { sourceOperations } from '../../src/http/sources.js';
import { Problem } from '../../src/http/problem.js';
import type { EventDelivery } from '../../src/intake/event-delivery.js';
import { operationsApp } from '../helpers/operations-app.js';
import { classifyStage, furthest } from '../../src/sources/stages.js';
import { checkedEvent } from '../../src/sources/intake.js';
import { isPing, matchRule, type SourceScope } from '../../src/sources/webhook.js';
import { INTERVIEW_STAGE, SECRETS, VENDORS, type Delivery, type Vendor } from '../helpers/vendors.js';

const sources = await loadSources(path.resolve(import.meta.dirname, '../../pipelines'));
const person = { email: 'ada@example.com', first: 'Ada', last: 'Lovelace', id: '60304594' };
const job = { id: '274075', title: 'Data Scientist' };

beforeAll(() => void Object.assign(process.env, SECRETS));
afterAll(() => Object.keys(SECRETS).forEach((k) => delete process.env[k]));

/** What Lever's API answers for the reads of `rule` (the fake API's shapes, test/helpers/fake-lever.ts). */
const leverReads = (stage = 'On-site interview') => ({
  opportunity: {
    data: {
      id: 'opp-1',
      name: 'Ada Lovelace',
      contact: person.id,
      emails: [person.email],
      phones: [{ value: '(123) 456-7891' }],
      stage: 'stage-onsite',
      origin: 'applied',
      applications: [{ id: 'appl-1', posting: 'posting-1' }],
    },
  },
  posting: { data: { id: 'posting-1', text: job.title } },
  stage: { data: { id: 'stage-onsite', text: stage } },
  reason: { data: { id: 'reason-underqualified', text: 'Underqualified', type: 'non-hired' } },
});

function mapped(vendor: Vendor, delivery: Delivery) {
  const mapping = sources.get(vendor.source)!;
  const payload = JSON.parse(delivery.body) as unknown;
  const headers = Object.fromEntries(Object.entries(delivery.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const verified = verifySignature(
    mapping,
    { raw: Buffer.from(delivery.body), payload, headers },
    process.env,
    Date.now(),
  );
  expect(verified).toMatchObject({ ok: true });
  const scope: SourceScope = {
    payload,
    headers,
    ...(vendor.source === 'lever' ? { reads: leverReads() } : {}),
  };
  const rule = matchRule(mapping, scope);
  expect(rule, 'a rule matches').toBeDefined();
  const result = checkedEvent(mapping, rule!, scope);
  if (!result.ok) throw new Error(result.reason);
  return result.event;
}

describe.each(VENDORS.map((v) => [v.source, v] as const))('%s', (_source, vendor) => {
  it('maps an application to candidate.applied with the candidate and the job', () => {
    const event = mapped(vendor, vendor.application(person, job));
    expect(event).toMatchObject({
      type: 'candidate.applied',
      candidate: { email: person.email, first_name: 'Ada' },
      data: { stage: { kind: 'applied' }, job: { title: job.title } },
    });
    // Greenhouse's delivery id is an unsigned header: the payload itself names the event (src/sources/intake.ts).
    if (vendor.source !== 'greenhouse') expect(event.id).toBeTruthy();
  });

  it('maps a move to an interview stage to candidate.stage_changed of kind interview', () => {
    const event = mapped(vendor, vendor.stageChange(person, job, INTERVIEW_STAGE[vendor.source]!));
    expect(event.type).toBe('candidate.stage_changed');
    expect(event.data?.stage).toEqual({ name: INTERVIEW_STAGE[vendor.source]!.name, kind: 'interview' });
  });

  it('maps a rejection to candidate.rejected with its reason and, where the payload says it, the stage reached', () => {
    const event = mapped(
      vendor,
      vendor.rejection(person, job, 'Underqualified', INTERVIEW_STAGE[vendor.source]!),
    );
    expect(event.type).toBe('candidate.rejected');
    expect(event.data).toMatchObject({ stage: { kind: 'rejected' }, reason: 'Underqualified' });
    // Ashby's archived application sits in its Archived stage: the stage reached comes from history.
    if (vendor.source !== 'ashby') expect(event.data?.furthest_stage).toMatchObject({ kind: 'interview' });
  });

  it('maps a hire to candidate.hired', () => {
    const event = mapped(vendor, vendor.hire(person, job));
    expect(event.type).toBe('candidate.hired');
    expect(event.data?.stage).toMatchObject({ kind: 'hired' });
  });

  it('knows its test or ping request', () => {
    const mapping = sources.get(vendor.source)!;
    const ping = vendor.ping();
    const scope = { payload: JSON.parse(ping.body) as unknown, headers: {} };
    // Workable documents no test request: none is recognised.
    expect(isPing(mapping, scope)).toBe(vendor.source !== 'workable');
    const application = vendor.application(person, job);
    expect(isPing(mapping, { payload: JSON.parse(application.body) as unknown, headers: {} })).toBe(false);
  });

  it('refuses a signature made with another secret', () => {
    const mapping = sources.get(vendor.source)!;
    const delivery = vendor.application(person, job);
    const payload = JSON.parse(delivery.body) as unknown;
    const headers = Object.fromEntries(
      Object.entries(delivery.headers).map(([k, v]) => [k.toLowerCase(), v]),
    );
    const env = { ...process.env, [mapping.signature!.secret_env!]: 'another secret' };
    const verified = verifySignature(
      mapping,
      { raw: Buffer.from(delivery.body), payload, headers },
      env,
      Date.now(),
    );
    expect(verified).toMatchObject({ ok: false, status: 401 });
  });
});

describe('several secrets', () => {
  it('accepts a signature made with any of the comma-separated secrets (one per Lever event, or a rotation)', () => {
    const mapping = sources.get('lever')!;
    const delivery = VENDORS[2]!.application(person, job);
    const payload = JSON.parse(delivery.body) as unknown;
    const check = (secrets: string) =>
      verifySignature(
        mapping,
        { raw: Buffer.from(delivery.body), payload, headers: {} },
        { RAPPORT_SOURCE_LEVER_SECRET: secrets },
        Date.now(),
      ).ok;
    expect(check(`stage-token, ${SECRETS.RAPPORT_SOURCE_LEVER_SECRET},archive-token`)).toBe(true);
    expect(check('stage-token,archive-token')).toBe(false);
  });
});

describe('stage kinds', () => {
  it.each([
    ['Application Review', 'applied'],
    ['New applicant', 'applied'],
    ['Preliminary Phone Screen', 'screen'],
    ['Recruiter screen', 'screen'],
    ['Face to Face', 'interview'],
    ['On-site interview', 'interview'],
    ['Technical Interview', 'interview'],
    ['Reference Check', 'interview'],
    ['Offer', 'offer'],
    ['Hired', 'hired'],
    ['Disqualified', 'rejected'],
    ['Something only this company has', 'screen'],
  ])('%s is %s', (name, kind) => expect(classifyStage(name)).toBe(kind));

  it("tries the vendor's stage types before the names", () => {
    const rules = [{ type: '^Active$', kind: 'interview' as const }];
    expect(classifyStage('Culture chat', 'Active', rules)).toBe('interview');
    expect(classifyStage('Culture chat', undefined, rules)).toBe('screen');
  });

  it('keeps the furthest stage, rejections aside', () => {
    expect(
      furthest([
        { name: 'Phone screen', kind: 'screen' },
        { name: 'Onsite', kind: 'interview' },
        { name: 'Rejected', kind: 'rejected' },
        undefined,
      ]),
    ).toEqual({ name: 'Onsite', kind: 'interview' });
  });
});

describe('what else each ATS says', () => {
  /** The delivery with fields changed (`undefined` removes one), by dotted path. */
  const body = (delivery: Delivery, changes: Record<string, unknown>): Delivery => {
    const payload = JSON.parse(delivery.body) as Record<string, unknown>;
    for (const [path, value] of Object.entries(changes)) {
      const keys = path.split('.');
      const last = keys.pop()!;
      const parent = keys.reduce((o, k) => o[k] as Record<string, unknown>, payload);
      if (value === undefined) delete parent[last];
      else parent[last] = value;
    }
    return { body: JSON.stringify(payload), headers: delivery.headers };
  };
  /** The event a payload maps to, unsigned (the signature is tested above). */
  function event(source: string, payload: unknown, reads?: Record<string, unknown>) {
    const mapping = sources.get(source)!;
    const scope: SourceScope = { payload, headers: {}, ...(reads ? { reads } : {}) };
    const rule = matchRule(mapping, scope);
    if (rule === undefined) return undefined;
    const result = checkedEvent(mapping, rule, scope);
    if (!result.ok) throw new Error(result.reason);
    return result.event;
  }
  const parsed = (d: Delivery) => JSON.parse(d.body) as unknown;
  const [greenhouse, ashby, lever, workable, recruitee] = VENDORS as [Vendor, Vendor, Vendor, Vendor, Vendor];

  it('Greenhouse: a prospect is sourced, an update records the stage, "They rejected us" is a withdrawal', () => {
    const prospect = body(greenhouse.application(person, job), {
      action: 'new_prospect_application',
      'payload.application.prospect': true,
      'payload.application.current_stage': null,
    });
    expect(event('greenhouse', parsed(prospect))).toMatchObject({ type: 'candidate.sourced' });
    const updated = body(greenhouse.stageChange(person, job, { name: 'Face to Face' }), {
      action: 'application_updated',
    });
    expect(event('greenhouse', parsed(updated))).toMatchObject({
      type: 'candidate.updated',
      data: { stage: { name: 'Face to Face', kind: 'interview' } },
    });
    const withdrew = body(greenhouse.rejection(person, job, 'Took another offer', { name: 'Offer' }), {
      'payload.application.rejection_reason.type.name': 'They rejected us',
    });
    expect(event('greenhouse', parsed(withdrew))).toMatchObject({
      type: 'candidate.withdrew',
      data: { reason: 'Took another offer', furthest_stage: { name: 'Offer', kind: 'offer' } },
    });
  });

  it('Ashby: archived by the candidate is a withdrawal; the stage change of an archive or a hire changes nothing', () => {
    const withdrew = body(ashby.rejection(person, job, 'Accepted another offer', { name: '' }), {
      'data.application.archiveReason.reasonType': 'RejectedByCandidate',
    });
    expect(event('ashby', parsed(withdrew))).toMatchObject({ type: 'candidate.withdrew' });
    const archiveStage = body(ashby.stageChange(person, job, { name: 'Archived', type: 'Archived' }), {
      'data.application.status': 'Archived',
    });
    const quiet = event('ashby', parsed(archiveStage));
    expect(quiet?.type).toBe('candidate.updated');
    expect(quiet?.data?.stage).toBeUndefined();
    const screen = ashby.stageChange(person, job, { name: 'Recruiter Call', type: 'PreInterviewScreen' });
    expect(event('ashby', parsed(screen))?.data?.stage).toEqual({ name: 'Recruiter Call', kind: 'screen' });
  });

  it('Lever: archived as hired changes nothing (candidateHired is the hire); unarchiving updates; a sourced lead is sourced', () => {
    const reads = leverReads();
    const hired = event('lever', parsed(lever.rejection(person, job, '', { name: '' })), {
      ...reads,
      reason: { data: { id: 'reason-hired', text: 'Hired', type: 'hired' } },
    });
    expect(hired).toMatchObject({ type: 'candidate.updated' });
    const unarchived = body(lever.rejection(person, job, '', { name: '' }), {
      'data.toArchived': null,
    });
    expect(event('lever', parsed(unarchived), reads)).toMatchObject({ type: 'candidate.updated' });
    const sourced = event('lever', parsed(lever.application(person, job)), {
      ...reads,
      opportunity: { data: { ...reads.opportunity.data, origin: 'sourced' } },
    });
    expect(sourced).toMatchObject({ type: 'candidate.sourced' });
  });

  it('Workable: a sourced candidate is sourced; a move to Offer is a stage change of kind offer', () => {
    const sourced = body(workable.application(person, job), {
      'data.sourced': true,
    });
    expect(event('workable', parsed(sourced))).toMatchObject({ type: 'candidate.sourced' });
    expect(
      event('workable', parsed(workable.stageChange(person, job, { name: 'Offer' })))?.data?.stage,
    ).toEqual({
      name: 'Offer',
      kind: 'offer',
    });
  });

  it('Recruitee: requalified updates; a new candidate without a job is sourced; its test payloads store nothing', () => {
    const requalified = body(recruitee.stageChange(person, job, { name: 'Interview' }), {
      event_subtype: 'requalified',
    });
    expect(event('recruitee', parsed(requalified))).toMatchObject({ type: 'candidate.updated' });
    const talent = body(recruitee.application(person, job), {
      'payload.offer': undefined,
    });
    expect(event('recruitee', parsed(talent))).toMatchObject({ type: 'candidate.sourced' });
    const example = body(recruitee.application(person, job), {
      test: true,
    });
    expect(isPing(sources.get('recruitee')!, { payload: parsed(example), headers: {} })).toBe(true);
  });

  it('names an archive, a disqualification and a Greenhouse delivery by what is signed, so repeats are one event', () => {
    const archive = ashby.rejection(person, job, 'Underqualified', { name: '' });
    const later = body(archive, { webhookActionId: 'another-action' });
    expect(event('ashby', parsed(later))?.id).toBe(event('ashby', parsed(archive))?.id);
    const disqualified = workable.rejection(person, job, 'Not a fit', { name: 'Interview' });
    const moved = body(disqualified, { id: 'evt-later', 'data.stage': 'Offer' });
    expect(event('workable', parsed(moved))?.id).toBe(event('workable', parsed(disqualified))?.id);
    // Greenhouse's delivery id header is not signed: no rule reads it.
    expect(event('greenhouse', parsed(greenhouse.application(person, job)))?.id).toBeUndefined();
  });

  it('leaves out what renders empty: a prospect without a job has no job', () => {
    const prospect = body(greenhouse.application(person, job), {
      action: 'new_prospect_application',
      'payload.application.jobs': [],
    });
    expect(event('greenhouse', parsed(prospect))?.data?.job).toBeUndefined();
  });

  it('leaves a payload no rule takes unmapped', () => {
    expect(event('greenhouse', { action: 'offer_deleted', payload: {} })).toBeUndefined();
    expect(event('lever', { event: 'contactUpdated', data: { contactId: 'x' } })).toBeUndefined();
  });
});

describe('signing', () => {
  /** The problems `rapport validate` reports for a mapping file with this text, as a person reads them. */
  async function problems(text: string): Promise<string[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-sources-'));
    fs.mkdirSync(path.join(dir, 'sources'));
    fs.writeFileSync(path.join(dir, 'sources/board.yaml'), text);
    try {
      const { errors } = await validateSources(dir);
      return errors.map((e) => e.message.replace(`${dir}/`, ''));
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  }
  const rules = [
    'events:',
    '  - when: "payload.action == \'hired\'"',
    '    type: candidate.hired',
    "    candidate: { email: '{{ payload.email }}' }",
  ];

  it('refuses a mapping that says neither how requests are signed nor that they are not, at its position, saying what to add', async () => {
    expect(
      await problems(['# A board that forgot its signature', 'source: board', ...rules, ''].join('\n')),
    ).toEqual([
      expect.stringMatching(
        /^sources\/board\.yaml:2:1: the mapping does not say how requests are signed: add a `signature` block .*, or `unsigned: true` to take unsigned requests from anyone who can reach the URL \(at \/signature\)$/,
      ),
    ]);
  });

  it('takes `unsigned: true` said explicitly, and refuses it beside a signature block', async () => {
    expect(await problems(['source: board', 'unsigned: true', ...rules, ''].join('\n'))).toEqual([]);
    expect(
      await problems(
        ['source: board', 'signature:', '  header: X-Board-Signature', 'unsigned: true', ...rules, ''].join(
          '\n',
        ),
      ),
    ).toEqual([
      'sources/board.yaml:4:11: `unsigned: true` contradicts the `signature` block: remove one of them (at /unsigned)',
    ]);
  });

  it('takes unsigned requests only from a mapping that says `unsigned: true`', () => {
    const request = { raw: Buffer.from('{}'), payload: {}, headers: {} };
    const rule = { when: 'true', type: 'candidate.hired', candidate: { email: 'x' } };
    const silent: SourceMapping = { source: 'board', events: [rule] };
    expect(verifySignature(silent, request, {}, Date.now())).toMatchObject({ ok: false, status: 503 });
    expect(secretConfigured(silent, {})).toBe(false);
    const unsigned: SourceMapping = { ...silent, unsigned: true };
    expect(verifySignature(unsigned, request, {}, Date.now())).toEqual({ ok: true });
    expect(secretConfigured(unsigned, {})).toBe(true);
  });

  it('every shipped mapping signs', () => {
    for (const mapping of sources.values()) expect(mapping.signature, mapping.source).toBeDefined();
  });
});

describe('the signed bytes', () => {
  const secret = SECRETS.RAPPORT_SOURCE_GREENHOUSE_SECRET;
  const sign = (bytes: Uint8Array) => `sha256 ${createHmac('sha256', secret).update(bytes).digest('hex')}`;
  // A byte-order mark, then JSON with a byte that is not UTF-8 (Latin-1 "é"): decoding drops the mark
  // and turns the byte into U+FFFD, so text encoded again is other bytes than were signed.
  const body = Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from('{"action":"new_candidate_application","payload":{"note":"caf'),
    Buffer.from([0xe9]),
    Buffer.from('"}}'),
  ]);
  const reencoded = Buffer.from(new TextDecoder().decode(body));

  /** The webhook as the API serves it; a request whose signature holds goes on to admission, which says so. */
  const app = operationsApp(sourceOperations, {
    sources,
    delivery: {
      admit: () => {
        throw new Problem(503, 'Signature verified', 'the signature holds');
      },
    } as unknown as EventDelivery,
  });
  const post = (signature: string) =>
    app.request('/v1/sources/greenhouse/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/json', Signature: signature },
      body,
    });

  it('verifies the HMAC over the bytes as received, not over the text they decode to', async () => {
    expect(reencoded.equals(body)).toBe(false);
    const raw = await post(sign(body));
    expect(await raw.json()).toMatchObject({ status: 503, detail: 'the signature holds' });
    const text = await post(sign(reencoded));
    expect(text.status).toBe(401);
    expect(text.headers.get('content-type')).toContain('application/problem+json');
  });

  it('signs the timestamp and the bytes as received when the sender signs a time', () => {
    const mapping = sources.get('generic')!;
    const at = String(Math.floor(Date.now() / 1000));
    const digest = (bytes: Uint8Array) =>
      `sha256=${createHmac('sha256', 'generic-secret')
        .update(Buffer.concat([Buffer.from(`${at}.`), bytes]))
        .digest('hex')}`;
    const check = (signature: string) =>
      verifySignature(
        mapping,
        {
          raw: body,
          payload: {},
          headers: { 'x-rapport-signature': signature, 'x-rapport-timestamp': at },
        },
        { RAPPORT_SOURCE_GENERIC_SECRET: 'generic-secret' },
        Date.now(),
      ).ok;
    expect(check(digest(body))).toBe(true);
    expect(check(digest(reencoded))).toBe(false);
  });
});
