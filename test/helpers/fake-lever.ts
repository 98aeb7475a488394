// A local HTTP server that answers like Lever's documented Data API (https://hire.lever.co/developer/
// documentation): basic auth with the API key as user name, `{ data: … }` envelopes, opportunities,
// stages, archive reasons and postings. It can be down for a while (503) and says what it was asked.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { leverOpportunity, type Job, type Person } from './vendors.js';

export const LEVER_API_KEY = 'lever-api-key';

const STAGES: Record<string, string> = {
  'stage-new': 'New applicant',
  'stage-screen': 'Recruiter screen',
  'stage-onsite': 'On-site interview',
  'stage-offer': 'Offer',
};
const REASONS: Record<string, { text: string; type: 'hired' | 'non-hired' }> = {
  'reason-underqualified': { text: 'Underqualified', type: 'non-hired' },
  'reason-hired': { text: 'Hired', type: 'hired' },
};

export interface FakeLever {
  url: string;
  /** Serves the person's opportunity (applied to the job, in the stage). */
  add(person: Person, job: Job, stage?: string): void;
  setStage(person: Person, stage: string): void;
  /** The next `n` requests answer 503, as an API that is down. */
  down(n: number): void;
  /** Paths asked, in order (with the answer's status). */
  readonly requests: { path: string; status: number }[];
  close(): Promise<void>;
}

export async function startFakeLever(): Promise<FakeLever> {
  const opportunities = new Map<string, { person: Person; job: Job; stage: string }>();
  const requests: { path: string; status: number }[] = [];
  let downFor = 0;

  const answer = (path: string): { status: number; body?: unknown } => {
    const [route, id] = path.split('?')[0]!.split('/').filter(Boolean);
    if (route === 'opportunities' && id && opportunities.has(id)) {
      const { person, job, stage } = opportunities.get(id)!;
      const expanded = path.includes('expand=applications');
      return {
        status: 200,
        body: {
          data: {
            id,
            name: `${person.first} ${person.last}`,
            contact: person.id,
            emails: [person.email],
            phones: [{ value: '(123) 456-7891' }],
            location: 'Oakland',
            stage,
            origin: 'applied',
            archivedAt: null,
            archiveReason: null,
            applications: [
              expanded ? { id: `appl-${person.id}`, posting: `posting-${job.id}` } : `appl-${person.id}`,
            ],
            tags: [],
          },
        },
      };
    }
    if (route === 'stages' && id && STAGES[id])
      return { status: 200, body: { data: { id, text: STAGES[id] } } };
    if (route === 'archive_reasons' && id && REASONS[id])
      return { status: 200, body: { data: { id, status: 'active', ...REASONS[id] } } };
    if (route === 'postings' && id) {
      const job = [...opportunities.values()].find((o) => `posting-${o.job.id}` === id)?.job;
      if (job) return { status: 200, body: { data: { id, text: job.title, state: 'published' } } };
    }
    return { status: 404, body: { code: 'ResourceNotFound', message: `${path} not found` } };
  };

  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    const expected = `Basic ${Buffer.from(`${LEVER_API_KEY}:`).toString('base64')}`;
    let result: { status: number; body?: unknown };
    if (downFor > 0) {
      downFor--;
      result = { status: 503, body: { code: 'ServiceUnavailable', message: 'Lever is down' } };
    } else if (req.headers.authorization !== expected)
      result = { status: 401, body: { code: 'Unauthorized', message: 'Invalid API key' } };
    else result = answer(path);
    requests.push({ path, status: result.status });
    res.writeHead(result.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(result.body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    add: (person, job, stage = 'stage-new') =>
      opportunities.set(leverOpportunity(person), { person, job, stage }),
    setStage: (person, stage) => {
      const o = opportunities.get(leverOpportunity(person));
      if (o) o.stage = stage;
    },
    down: (n) => (downFor = n),
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
