// Candidates: search (GET /v1/candidates), create or merge (POST), read one with its journeys, messages
// and timeline (GET /{id}), and correct (PATCH /{id}, recorded as a `candidate.updated` event).
import { getCandidate, getTimeline, upsertCandidate } from '../db/candidates.js';
import { patchCandidate, searchCandidates, type CandidatePatch } from '../db/candidate-records.js';
import { listJourneysForCandidate } from '../db/journeys.js';
import { listMessagesForCandidate } from '../db/messages.js';
import type { CandidateInput } from '../domain.js';
import { candidateWorkflowId } from '../../workflows/contract.js';
import type { ApiDeps } from './deps.js';
import { acceptSubjectEvent, endMergedWorkflow } from '../intake/accept.js';
import { operation, PAGE_QUERY, UUID_PARAM } from './operation.js';
import { paged, pageOf, type PageQuery } from './paging.js';
import { Problem } from './problem.js';

/** The candidate of this id, or 404. */
export async function candidateOf(deps: ApiDeps, id: string) {
  const candidate = await getCandidate(deps.sql, id);
  if (!candidate) throw Problem.notFound(`Candidate ${id}`);
  return candidate;
}

/** What a candidate's id leads to, for the answers that give one. */
export const CANDIDATE_LINKS = (id: string) => ({
  read: { to: 'get /v1/candidates/{id}', with: { id } },
  correct: { to: 'patch /v1/candidates/{id}', with: { id } },
  note: { to: 'post /v1/candidates/{id}/notes', with: { id } },
  notes: { to: 'get /v1/candidates/{id}/notes', with: { id } },
  export: { to: 'get /v1/candidates/{id}/export', with: { id } },
  enroll: { to: 'post /v1/candidates/{id}/journeys', with: { id } },
  erase: { to: 'delete /v1/candidates/{id}', with: { id } },
});

export const CANDIDATE_ID = { id: { ...UUID_PARAM, description: 'Candidate (UUID)' } };

export const candidateOperations = [
  operation<PageQuery & { q?: string; tag?: string[]; stage?: string }>({
    method: 'get',
    path: '/v1/candidates',
    summary: 'Search candidates, newest first',
    access: { scope: 'candidates:read' },
    query: {
      q: { description: 'Words matched against names and email', schema: { type: 'string', maxLength: 200 } },
      tag: {
        description: 'A tag the candidate has (repeat for several: all must match)',
        schema: { type: 'string', maxLength: 100 },
        repeated: true,
      },
      stage: { description: "The candidate's stage", schema: { type: 'string', maxLength: 100 } },
      ...PAGE_QUERY,
    },
    answers: { 200: { description: '{ items, next_cursor }', schema: 'candidate-page.schema.json' } },
    async handle(c, { query }, deps) {
      const page = pageOf(query);
      const rows = await searchCandidates(
        deps.sql,
        { q: query.q, tags: query.tag ?? [], stage: query.stage },
        page,
      );
      return c.json(paged(rows, page));
    },
  }),
  operation<object, CandidateInput>({
    method: 'post',
    path: '/v1/candidates',
    summary: 'Create a candidate, or merge into the one with the same email or external id',
    access: { scope: 'candidates:write' },
    body: { json: 'candidate-input.schema.json' },
    answers: {
      201: {
        description: 'Created',
        schema: 'candidate.schema.json',
        links: CANDIDATE_LINKS('$response.body#/id'),
      },
      200: {
        description: 'Merged into an existing candidate',
        schema: 'candidate.schema.json',
        links: CANDIDATE_LINKS('$response.body#/id'),
      },
    },
    async handle(c, { body: input }, deps) {
      const upserted = await deps.sql.begin((tx) => upsertCandidate(tx, input, 'api'));
      if (upserted.merged) endMergedWorkflow(deps, upserted.merged, candidateWorkflowId(upserted.id));
      const candidate = await getCandidate(deps.sql, upserted.id);
      return c.json(candidate, upserted.created ? 201 : 200);
    },
  }),
  operation({
    method: 'get',
    path: '/v1/candidates/{id}',
    summary: 'A candidate with journeys, messages and timeline',
    access: { scope: 'candidates:read' },
    params: CANDIDATE_ID,
    answers: {
      200: { description: 'The candidate', schema: 'candidate-view.schema.json' },
      404: { description: 'Unknown candidate' },
    },
    async handle(c, { params }, deps) {
      const id = params.id!;
      // One snapshot: a journey that ends between two reads must not show as ended on the timeline and
      // still waiting in the journey list.
      const view = await deps.sql.begin('isolation level repeatable read read only', async (tx) => {
        const candidate = await getCandidate(tx, id);
        if (!candidate) return undefined;
        const journeys = await listJourneysForCandidate(tx, id);
        const messages = await listMessagesForCandidate(tx, id);
        const timeline = await getTimeline(tx, id);
        return { ...candidate, journeys, messages, timeline };
      });
      if (!view) throw Problem.notFound(`Candidate ${id}`);
      return c.json(view);
    },
  }),
  operation<object, CandidatePatch>({
    method: 'patch',
    path: '/v1/candidates/{id}',
    summary: 'Correct a candidate (JSON merge patch; recorded as candidate.updated)',
    access: { scope: 'candidates:write' },
    params: CANDIDATE_ID,
    body: { json: 'candidate-patch.schema.json' },
    answers: {
      200: { description: 'The candidate', schema: 'candidate.schema.json' },
      404: { description: 'Unknown candidate' },
      409: { description: 'Email used by another candidate' },
    },
    async handle(c, { params, body: patch }, deps) {
      const { id } = await candidateOf(deps, params.id!);
      await acceptSubjectEvent(
        deps,
        {
          subject: { candidateId: id },
          type: 'candidate.updated',
          source: 'api',
          data: { fields: Object.keys(patch) },
        },
        async (tx) => {
          if (!(await patchCandidate(tx, id, patch)))
            throw new Problem(409, 'Conflict', `Another candidate has the email ${patch.email}.`);
        },
      );
      return c.json(await getCandidate(deps.sql, id));
    },
  }),
];
