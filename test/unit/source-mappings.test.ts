// The shipped source mappings on payloads written from each vendor's documentation: signed the vendor's
// way, mapped to the event and the hiring-progress vocabulary the playbooks read (no database, no
// Temporal; test/integration/ats-sources.test.ts drives the same payloads through the real stack).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSources } from '../../src/playbook/sources.js';
import { verifySignature } from '../../src/sources/signature.js';
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
    { raw: delivery.body, payload, headers, header: (n) => headers[n.toLowerCase()] },
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
    expect(event.id).toBeTruthy();
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
      { raw: delivery.body, payload, headers, header: (n) => headers[n.toLowerCase()] },
      env,
      Date.now(),
    );
    expect(verified).toMatchObject({ ok: false, status: 401 });
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
