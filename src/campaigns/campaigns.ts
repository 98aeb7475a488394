// Campaigns as the API, the console and the CLI use them: launch (checked before anything starts), pause,
// resume and cancel (updates of the campaign's workflow), and the campaign with its numbers.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Sql } from '../db/client.js';
import {
  campaignNumbers,
  createCampaign,
  getCampaign,
  type CampaignRow,
  type CampaignNumbers,
} from '../db/campaigns.js';
import { getPool } from '../db/pools.js';
import { getRecruitingEvent } from '../db/recruiting-events.js';
import type { ContactPolicy } from '../interpreter/index.js';
import { missingCandidatePlaybook } from '../http/enrollment.js';
import { Problem } from '../http/problem.js';
import { validate, type FieldError } from '../schemas/index.js';
import {
  CAMPAIGN_WORKFLOW,
  campaignWorkflowId,
  controlCampaignUpdate,
  Failure,
  type CampaignAction,
  type CampaignWorkflow,
} from '../../workflows/contract.js';

export interface CampaignDeps {
  sql: Sql;
  temporal: Client;
  taskQueue: string;
  policy?: ContactPolicy | undefined;
}

/** A campaign as POST /v1/campaigns takes it (schemas/campaign-input.schema.json). */
export interface CampaignLaunch {
  name: string;
  playbook: string;
  pool: string;
  start_at?: string;
  rate_per_minute?: number;
  contact_class?: string;
  recruiting_event?: string;
}

export type CampaignView = Omit<CampaignRow, 'total' | 'updated_at' | 'pool_name'> & {
  pool: string;
  workflow_id: string;
  numbers: CampaignNumbers;
};

/**
 * Checks the campaign against what exists (the playbook is published and enrolls candidates, the pool
 * exists, the class is one of the policy's), then stores it and starts its workflow. A refused campaign
 * is problem+json naming the field (422 for a bad value, 404 for what does not exist); nothing is
 * stored or started.
 */
export async function launchCampaign(deps: CampaignDeps, given: CampaignLaunch): Promise<CampaignView> {
  // The API's router checked this already; the CLI's input is checked here, the same way.
  const checked = validate<CampaignLaunch>('campaign-input.schema.json', given);
  if (!checked.ok) throw Problem.validation(checked.errors);
  const input = checked.value;
  // What the campaign names must exist: a candidate playbook, a pool, a class (404 naming the field).
  const missing: FieldError[] = [];
  const playbook = await missingCandidatePlaybook(deps.sql, input.playbook);
  if (playbook) missing.push(playbook);
  const pool = await getPool(deps.sql, input.pool);
  if (!pool) missing.push({ pointer: '/pool', message: `names no talent pool: "${input.pool}"` });
  if (input.contact_class !== undefined && !deps.policy?.classes.some((c) => c.class === input.contact_class))
    missing.push({
      pointer: '/contact_class',
      message: `names no class of the contact policy: "${input.contact_class}" (${
        deps.policy?.classes.map((c) => c.class).join(', ') || 'there is no policy'
      })`,
    });
  const invitedTo = input.recruiting_event
    ? await getRecruitingEvent(deps.sql, input.recruiting_event)
    : undefined;
  if (input.recruiting_event !== undefined && !invitedTo)
    missing.push({
      pointer: '/recruiting_event',
      message: `names no recruiting event: "${input.recruiting_event}"`,
    });
  if (missing.length || !pool) throw Problem.missing(missing);
  if (invitedTo && (invitedTo.status === 'closed' || invitedTo.starts_at <= new Date()))
    throw Problem.validation([
      {
        pointer: '/recruiting_event',
        message: `has started: "${invitedTo.name}" takes no more answers, so nobody can be invited`,
      },
    ]);

  const row = await createCampaign(deps.sql, {
    name: input.name,
    playbook: input.playbook,
    pool: { id: pool.id, name: pool.name },
    contactClass: input.contact_class,
    ratePerMinute: input.rate_per_minute,
    startAt: input.start_at,
    recruitingEventId: invitedTo?.id,
  });
  try {
    await deps.temporal.workflow.start<CampaignWorkflow>(CAMPAIGN_WORKFLOW, {
      workflowId: campaignWorkflowId(row.id),
      taskQueue: deps.taskQueue,
      args: [
        {
          campaignId: row.id,
          playbook: row.playbook,
          ...(row.contact_class ? { contactClass: row.contact_class } : {}),
          ratePerMinute: row.rate_per_minute,
          startAt: row.start_at.toISOString(),
        },
      ],
    });
  } catch (error) {
    // Not started: not stored either, so the caller may simply try again.
    await deps.sql`delete from campaigns where id = ${row.id}`;
    throw error;
  }
  return (await campaignView(deps.sql, row.id))!;
}

/** Pauses, resumes or cancels a campaign; the answer is the campaign once its workflow recorded it. */
export async function controlCampaign(
  deps: CampaignDeps,
  id: string,
  action: CampaignAction,
): Promise<CampaignView> {
  const row = await getCampaign(deps.sql, id);
  if (!row) throw Problem.notFound(`Campaign ${id}`);
  try {
    await deps.temporal.workflow
      .getHandle(campaignWorkflowId(row.id))
      .executeUpdate(controlCampaignUpdate, { args: [{ action }] });
  } catch (error) {
    if (error instanceof WorkflowNotFoundError)
      throw new Problem(409, 'Campaign has ended', `Campaign ${id} is ${row.status}; nothing changed.`);
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
      const ended = error.cause.type === Failure.Ended;
      throw new Problem(
        409,
        ended ? 'Campaign has ended' : 'Conflict',
        `${error.cause.message}; nothing changed.`,
      );
    }
    throw error;
  }
  return (await campaignView(deps.sql, row.id))!;
}

export async function campaignView(sql: Sql, id: string): Promise<CampaignView | undefined> {
  const row = await getCampaign(sql, id);
  return row ? viewOf(row, await campaignNumbers(sql, row)) : undefined;
}

export function viewOf(row: CampaignRow, numbers: CampaignNumbers): CampaignView {
  const { total: _total, updated_at: _updated, pool_name, ...rest } = row;
  return { ...rest, pool: pool_name, workflow_id: campaignWorkflowId(row.id), numbers };
}
