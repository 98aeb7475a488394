// Webhook deliveries as each shipped ATS sends them, written from the vendor's public documentation
// (payload shapes, signature schemes; docs/sources.md links each one), and signed the vendor's way.
import { createHmac, randomBytes } from 'node:crypto';

export const SECRETS = {
  RAPPORT_SOURCE_GREENHOUSE_SECRET: 'greenhouse-secret',
  RAPPORT_SOURCE_ASHBY_SECRET: 'ashby-secret',
  RAPPORT_SOURCE_LEVER_SECRET: 'lever-signature-token',
  RAPPORT_SOURCE_WORKABLE_SECRET: 'workable-api-token',
  RAPPORT_SOURCE_RECRUITEE_SECRET: 'recruitee-secret',
};

export interface Delivery {
  body: string;
  headers: Record<string, string>;
}

/** A person as the tests know them; each vendor spells them its own way. */
export interface Person {
  email: string;
  first: string;
  last: string;
  /** The vendor's id for the person (and, in Lever, the opportunity). */
  id: string;
}

export interface Job {
  id: string;
  title: string;
}

export interface Vendor {
  source: string;
  application(person: Person, job: Job): Delivery;
  /** The candidate moved to a stage (by its name in the vendor's default pipeline). */
  stageChange(person: Person, job: Job, stage: VendorStage): Delivery;
  rejection(person: Person, job: Job, reason: string, stage: VendorStage): Delivery;
  hire(person: Person, job: Job): Delivery;
  ping(): Delivery;
}

/** A stage as the vendor names it, with its vendor type where the vendor has one. */
export interface VendorStage {
  name: string;
  type?: string;
  id?: string;
}

const hmacHex = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex');
let sequence = 0;
const next = () => `${Date.now().toString(36)}${(sequence++).toString(36)}`;

// — Greenhouse: { action, payload: { application } }, `Signature: sha256 <hex>` over the raw body.
function greenhouseApplication(person: Person, job: Job, extra: Record<string, unknown> = {}) {
  return {
    id: Number.parseInt(person.id.replace(/\D/g, '').slice(0, 8) || '1', 10),
    prospect: false,
    status: 'active',
    applied_at: '2026-11-20T15:31:41Z',
    last_activity_at: '2026-11-20T15:31:41Z',
    source: { id: 16, name: 'LinkedIn (Prospecting)' },
    rejection_reason: null,
    current_stage: { id: 2944102, name: 'Application Review', interviews: [] },
    candidate: {
      id: person.id,
      first_name: person.first,
      last_name: person.last,
      phone_numbers: [{ value: '555-555-5555', type: 'mobile' }],
      email_addresses: [{ value: person.email, type: 'personal' }],
      tags: ['Go'],
    },
    jobs: [{ id: Number(job.id), name: job.title, status: 'open' }],
    ...extra,
  };
}

function greenhouse(action: string, application: unknown): Delivery {
  const body = JSON.stringify({ action, payload: { application } });
  return {
    body,
    headers: {
      Signature: `sha256 ${hmacHex(SECRETS.RAPPORT_SOURCE_GREENHOUSE_SECRET, body)}`,
      'Greenhouse-Event-ID': `gh-${next()}`,
    },
  };
}

export const greenhouseVendor: Vendor = {
  source: 'greenhouse',
  application: (p, j) => greenhouse('new_candidate_application', greenhouseApplication(p, j)),
  stageChange: (p, j, stage) =>
    greenhouse(
      'candidate_stage_change',
      greenhouseApplication(p, j, { current_stage: { id: 71416, name: stage.name, interviews: [] } }),
    ),
  rejection: (p, j, reason, stage) =>
    greenhouse(
      'reject_candidate',
      greenhouseApplication(p, j, {
        status: 'rejected',
        rejected_at: '2026-11-25T10:00:00Z',
        rejection_reason: { id: 9504, name: reason, type: { id: 1, name: 'We rejected them' } },
        current_stage: { id: 2708728, name: stage.name, interviews: [] },
      }),
    ),
  hire: (p, j) =>
    greenhouse('hire_candidate', {
      ...greenhouseApplication(p, j),
      offer: { id: 506409, version: 2, resolved_at: '2026-11-28T22:49:14Z', starts_at: '2027-01-04' },
    }),
  ping: () => {
    const body = JSON.stringify({
      action: 'ping',
      payload: { web_hook_id: 9590, name: 'Rapport', endpoint_url: 'https://rapport.test/' },
    });
    return {
      body,
      headers: { Signature: `sha256 ${hmacHex(SECRETS.RAPPORT_SOURCE_GREENHOUSE_SECRET, body)}` },
    };
  },
};

// — Ashby: { webhookActionId, action, data: { application } }, `Ashby-Signature: sha256=<hex>`.
function ashbyApplication(person: Person, job: Job, extra: Record<string, unknown> = {}) {
  return {
    id: `app-${person.id}`,
    createdAt: '2026-11-21T09:00:00.000Z',
    updatedAt: '2026-11-21T09:00:00.000Z',
    status: 'Active',
    candidate: {
      id: person.id,
      name: `${person.first} ${person.last}`,
      primaryEmailAddress: { value: person.email, type: 'Personal', isPrimary: true },
      primaryPhoneNumber: { value: '222-222-3344', type: 'Work', isPrimary: true },
    },
    currentInterviewStage: {
      id: 'stage-1',
      title: 'Application Review',
      type: 'Lead',
      orderInInterviewPlan: 0,
    },
    job: { id: job.id, title: job.title },
    hiringTeam: [],
    customFields: [],
    ...extra,
  };
}

function ashby(action: string, data: unknown, actionId = `wa-${next()}`): Delivery {
  const body = JSON.stringify({ webhookActionId: actionId, action, data });
  return {
    body,
    headers: { 'Ashby-Signature': `sha256=${hmacHex(SECRETS.RAPPORT_SOURCE_ASHBY_SECRET, body)}` },
  };
}

export const ashbyVendor: Vendor = {
  source: 'ashby',
  application: (p, j) => ashby('applicationSubmit', { application: ashbyApplication(p, j) }),
  stageChange: (p, j, stage) =>
    ashby('candidateStageChange', {
      application: ashbyApplication(p, j, {
        currentInterviewStage: { id: 'stage-2', title: stage.name, type: stage.type ?? 'Active' },
      }),
    }),
  // An archive comes as applicationUpdate; the archived application sits in Ashby's Archived stage, so
  // the furthest stage is what Rapport recorded before.
  rejection: (p, j, reason) =>
    ashby('applicationUpdate', {
      application: ashbyApplication(p, j, {
        status: 'Archived',
        archivedAt: '2026-11-25T10:00:00.000Z',
        currentInterviewStage: { id: 'stage-x', title: 'Archived', type: 'Archived' },
        archiveReason: { id: 'reason-1', text: reason, reasonType: 'RejectedByOrg', isArchived: false },
      }),
    }),
  hire: (p, j) => ashby('candidateHire', { application: ashbyApplication(p, j, { status: 'Hired' }) }),
  ping: () => ashby('ping', { webhookActionType: 'ping' }),
};

// — Lever: { triggeredAt (ms), event, data (ids only), token, signature = HMAC(token + triggeredAt) }.
export function leverDelivery(
  event: string,
  data: Record<string, unknown>,
  options: { token?: string; triggeredAt?: number } = {},
): Delivery & { token: string } {
  const token = options.token ?? randomBytes(24).toString('hex');
  const triggeredAt = options.triggeredAt ?? Date.now();
  const signature = hmacHex(SECRETS.RAPPORT_SOURCE_LEVER_SECRET, `${token}${triggeredAt}`);
  return { body: JSON.stringify({ triggeredAt, event, data, signature, token }), headers: {}, token };
}

/** Lever's opportunity id for a person (the fake Lever API serves it, test/helpers/fake-lever.ts). */
export const leverOpportunity = (p: Person) => `opp-${p.id}`;

export const leverVendor: Vendor = {
  source: 'lever',
  application: (p) =>
    leverDelivery('applicationCreated', {
      opportunityId: leverOpportunity(p),
      contactId: p.id,
      applicationId: `appl-${p.id}`,
    }),
  stageChange: (p, _j, stage) =>
    leverDelivery('candidateStageChange', {
      opportunityId: leverOpportunity(p),
      candidateId: p.id,
      contactId: p.id,
      toStageId: stage.id ?? 'stage-onsite',
      fromStageId: 'stage-new',
    }),
  rejection: (p) =>
    leverDelivery('candidateArchiveChange', {
      opportunityId: leverOpportunity(p),
      candidateId: p.id,
      contactId: p.id,
      fromArchived: null,
      toArchived: { archivedAt: Date.now(), reason: 'reason-underqualified' },
    }),
  hire: (p) => leverDelivery('candidateHired', { opportunityId: leverOpportunity(p), contactId: p.id }),
  ping: () => leverDelivery('candidateHired', {}),
};

// — Workable: { id, event_type, resource_type, fired_at, data: candidate }, `X-Workable-Signature` hex.
function workableCandidate(person: Person, job: Job, extra: Record<string, unknown> = {}) {
  return {
    id: person.id,
    name: `${person.first} ${person.last}`,
    firstname: person.first,
    lastname: person.last,
    headline: 'Software Engineer',
    account: { subdomain: 'acme', name: 'Acme' },
    job: { shortcode: job.id, title: job.title },
    stage: 'Applied',
    disqualified: false,
    disqualification_reason: null,
    hired_at: null,
    sourced: false,
    email: person.email,
    phone: '+30 210 0000000',
    address: 'Athens, Greece',
    created_at: '2026-11-20T09:00:00Z',
    updated_at: `2026-11-2${sequence % 10}T12:00:00Z`,
    ...extra,
  };
}

function workable(event: string, data: unknown): Delivery {
  const body = JSON.stringify({
    id: `evt-${next()}`,
    event_type: event,
    resource_type: 'candidate',
    fired_at: new Date().toISOString(),
    data,
  });
  return { body, headers: { 'X-Workable-Signature': hmacHex(SECRETS.RAPPORT_SOURCE_WORKABLE_SECRET, body) } };
}

export const workableVendor: Vendor = {
  source: 'workable',
  application: (p, j) => workable('candidate_created', workableCandidate(p, j)),
  stageChange: (p, j, stage) => workable('candidate_moved', workableCandidate(p, j, { stage: stage.name })),
  rejection: (p, j, reason, stage) =>
    workable(
      'candidate_moved',
      workableCandidate(p, j, {
        stage: stage.name,
        disqualified: true,
        disqualification_reason: reason,
        disqualified_at: '2026-11-25T10:00:00Z',
      }),
    ),
  hire: (p, j) =>
    workable(
      'candidate_moved',
      workableCandidate(p, j, { stage: 'Hired', hired_at: '2026-11-28T10:00:00Z' }),
    ),
  // Workable documents no test request.
  ping: () => workable('candidate_created', {}),
};

// — Recruitee: { id, event_type, event_subtype, created_at, payload: { candidate, offer, details } },
// `X-Recruitee-Signature` hex over the raw body.
function recruitee(event: string, subtype: string, payload: unknown): Delivery {
  const body = JSON.stringify({
    id: Number(`${Date.now() % 1e9}${sequence++ % 10}`),
    attempt_count: 1,
    created_at: new Date().toISOString(),
    event_type: event,
    event_subtype: subtype,
    level: 'candidate',
    payload,
  });
  return {
    body,
    headers: { 'X-Recruitee-Signature': hmacHex(SECRETS.RAPPORT_SOURCE_RECRUITEE_SECRET, body) },
  };
}

const recruiteeCandidate = (p: Person) => ({
  id: Number(p.id.replace(/\D/g, '').slice(0, 9) || '7'),
  name: `${p.first} ${p.last}`,
  emails: [p.email],
  phones: ['+31 6 0000 0000'],
});
const recruiteeOffer = (j: Job) => ({ id: Number(j.id), title: j.title, kind: 'job' });

export const recruiteeVendor: Vendor = {
  source: 'recruitee',
  application: (p, j) =>
    recruitee('new_candidate', 'career_site', { candidate: recruiteeCandidate(p), offer: recruiteeOffer(j) }),
  stageChange: (p, j, stage) =>
    recruitee('candidate_moved', 'stage_changed', {
      candidate: recruiteeCandidate(p),
      offer: recruiteeOffer(j),
      details: {
        from_stage: { id: 1, name: 'Applied', category: 'apply' },
        to_stage: { id: 2, name: stage.name, category: stage.type ?? 'interview' },
      },
    }),
  rejection: (p, j, reason, stage) =>
    recruitee('candidate_moved', 'disqualified', {
      candidate: recruiteeCandidate(p),
      offer: recruiteeOffer(j),
      details: {
        stage: { id: 2, name: stage.name, category: stage.type ?? 'interview' },
        disqualify_reason: { id: 11, name: reason },
      },
    }),
  hire: (p, j) =>
    recruitee('candidate_moved', 'stage_changed', {
      candidate: recruiteeCandidate(p),
      offer: recruiteeOffer(j),
      details: {
        from_stage: { id: 3, name: 'Offer', category: 'offer' },
        to_stage: { id: 4, name: 'Hired', category: 'hire' },
      },
    }),
  ping: () => ({ body: JSON.stringify({ test: true }), headers: {} }),
};

export const VENDORS: Vendor[] = [
  greenhouseVendor,
  ashbyVendor,
  leverVendor,
  workableVendor,
  recruiteeVendor,
];

/** The interview stage each vendor's e2e case moves the candidate to, as its default pipeline names it. */
export const INTERVIEW_STAGE: Record<string, VendorStage> = {
  greenhouse: { name: 'Face to Face' },
  ashby: { name: 'Onsite Interview', type: 'Active' },
  lever: { name: 'On-site interview', id: 'stage-onsite' },
  workable: { name: 'Interview' },
  recruitee: { name: 'Interview', type: 'interview' },
};
