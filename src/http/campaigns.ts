// Campaigns: list, launch (a pool enrolled into a playbook at a set rate; checked before anything starts),
// read with its numbers, and pause, resume or cancel (updates of the campaign's workflow).
import { campaignNumbers, listCampaigns } from '../db/campaigns.js';
import {
  campaignView,
  controlCampaign,
  launchCampaign,
  viewOf,
  type CampaignLaunch,
} from '../campaigns/campaigns.js';
import type { CampaignAction } from '../../workflows/contract.js';
import { operation, PAGE_QUERY, UUID_PARAM, type Operation } from './operation.js';
import { paged, pageOf, type PageQuery } from './paging.js';
import { Problem } from './problem.js';

const CAMPAIGN_ID = { id: { ...UUID_PARAM, description: 'Campaign (UUID)' } };

const control = (action: CampaignAction, summary: string): Operation =>
  operation({
    method: 'post',
    path: `/v1/campaigns/{id}/${action}`,
    summary,
    access: { scope: 'campaigns:write' },
    params: CAMPAIGN_ID,
    answers: {
      200: { description: 'The campaign, its status recorded', schema: 'campaign.schema.json' },
      404: { description: 'Unknown campaign' },
      409: { description: 'Not possible in its status (ended, or not paused for resume); nothing changed' },
    },
    async handle(c, { params }, deps) {
      return c.json(await controlCampaign(deps, params.id!, action));
    },
  });

export const campaignOperations = [
  operation<PageQuery>({
    method: 'get',
    path: '/v1/campaigns',
    summary: 'Campaigns, newest first, with their numbers',
    access: { scope: 'campaigns:read' },
    query: PAGE_QUERY,
    answers: { 200: { description: '{ items, next_cursor }', schema: 'campaign-page.schema.json' } },
    async handle(c, { query }, deps) {
      const page = pageOf(query);
      const { items, next_cursor } = paged(await listCampaigns(deps.sql, page), page);
      const views = await Promise.all(
        items.map(async (row) => viewOf(row, await campaignNumbers(deps.sql, row))),
      );
      return c.json({ items: views, next_cursor });
    },
  }),
  operation<object, CampaignLaunch>({
    method: 'post',
    path: '/v1/campaigns',
    summary: 'Launch a campaign: a pool’s members enrolled into a playbook, once each, at a set rate',
    access: { scope: 'campaigns:write' },
    body: { json: 'campaign-input.schema.json' },
    answers: {
      201: {
        description: 'Launched (its workflow started; it enrolls from start_at)',
        schema: 'campaign.schema.json',
        links: {
          read: { to: 'get /v1/campaigns/{id}', with: { id: '$response.body#/id' } },
          pause: { to: 'post /v1/campaigns/{id}/pause', with: { id: '$response.body#/id' } },
          cancel: { to: 'post /v1/campaigns/{id}/cancel', with: { id: '$response.body#/id' } },
        },
      },
      404: { description: 'The playbook, the pool or the contact class does not exist (the field is named)' },
    },
    async handle(c, { body }, deps) {
      return c.json(await launchCampaign(deps, body), 201);
    },
  }),
  operation({
    method: 'get',
    path: '/v1/campaigns/{id}',
    summary:
      'A campaign: its status and numbers (enrolled, skipped by reason, sent, clicked, replied, converted)',
    access: { scope: 'campaigns:read' },
    params: CAMPAIGN_ID,
    answers: {
      200: { description: 'The campaign', schema: 'campaign.schema.json' },
      404: { description: 'Unknown campaign' },
    },
    async handle(c, { params }, deps) {
      const view = await campaignView(deps.sql, params.id!);
      if (!view) throw Problem.notFound(`Campaign ${params.id}`);
      return c.json(view);
    },
  }),
  control('pause', 'Pause a campaign (within seconds: the batch in flight finishes)'),
  control('resume', 'Resume a paused campaign, at its rate from now'),
  control('cancel', 'Cancel a campaign: nobody else is enrolled; journeys started go on'),
];
