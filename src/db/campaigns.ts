// Campaigns: their rows, the members snapshotted from the pool when a campaign starts, each member's one
// outcome (enrolled, or skipped with its reason), and the numbers (sent, clicked, replied, converted).
import type { Db, Sql } from './client.js';
import { afterCursor, type Page } from './paging.js';
import { CONTACT_STATUSES, inPool, RUNNING, type PoolRef } from './pool-filter.js';
import { rsvpNumbers, type RsvpNumbers } from './recruiting-events.js';

export type CampaignStatus = 'scheduled' | 'running' | 'paused' | 'cancelled' | 'completed';

export interface CampaignRow {
  id: string;
  name: string;
  playbook: string;
  pool_id: string | null;
  pool_name: string;
  contact_class: string | null;
  recruiting_event_id: string | null;
  rate_per_minute: number | null;
  start_at: Date;
  status: CampaignStatus;
  total: number | null;
  created_at: Date;
  updated_at: Date;
  ended_at: Date | null;
}

export interface CampaignInput {
  name: string;
  playbook: string;
  pool: { id: string; name: string };
  contactClass?: string | undefined;
  ratePerMinute?: number | undefined;
  startAt?: string | undefined;
  recruitingEventId?: string | undefined;
}

export async function createCampaign(db: Db, input: CampaignInput): Promise<CampaignRow> {
  const [row] = await db<CampaignRow[]>`
    insert into campaigns (name, playbook, pool_id, pool_name, contact_class, rate_per_minute, start_at,
      recruiting_event_id)
    values (${input.name}, ${input.playbook}, ${input.pool.id}, ${input.pool.name}, ${input.contactClass ?? null},
      ${input.ratePerMinute ?? null}, ${input.startAt ?? db`now()`}, ${input.recruitingEventId ?? null})
    returning *`;
  return row!;
}

export async function getCampaign(db: Db, id: string): Promise<CampaignRow | undefined> {
  const [row] = await db<CampaignRow[]>`select * from campaigns where id = ${id}`;
  return row;
}

export async function listCampaigns(db: Db, page: Page): Promise<CampaignRow[]> {
  return db<CampaignRow[]>`
    select * from campaigns where true ${afterCursor(db, page)}
    order by created_at desc, id desc limit ${page.limit + 1}`;
}

/** Records the campaign's status as its workflow decided it. */
export async function setCampaignStatus(db: Db, id: string, status: CampaignStatus): Promise<void> {
  const ended = status === 'cancelled' || status === 'completed';
  await db`
    update campaigns set status = ${status}, updated_at = now(), ended_at = ${ended ? db`now()` : null}
    where id = ${id}`;
}

/**
 * Takes the pool's members as they are now into the campaign, once: a retry after a crash finds the
 * total set and takes nobody again.
 */
export async function snapshotMembers(db: Sql, campaignId: string, pool: PoolRef): Promise<number> {
  return db.begin(async (tx) => {
    const [row] = await tx<{ total: number | null }[]>`
      select total from campaigns where id = ${campaignId} for update`;
    if (row?.total != null) return row.total;
    const inserted = await tx`
      insert into campaign_members (campaign_id, candidate_id)
      select ${campaignId}, c.id from candidates c where ${inPool(tx, pool)}
      on conflict do nothing`;
    await tx`update campaigns set total = ${inserted.count}, updated_at = now() where id = ${campaignId}`;
    return inserted.count;
  });
}

/** What, besides consent, holds a candidate back from this campaign (src/activities/campaigns.ts). */
export interface SkipRules {
  playbook: string;
  /** Hold rules of the contact policy over the campaign's class: the playbooks whose journeys hold it. */
  holds: { rule: string; playbooks: string[] }[];
  /** The contact budget, when the campaign's class is not exempt from it. */
  budget?: { messages: number; since: Date } | undefined;
}

export interface NextMember {
  candidate_id: string;
  /** Why the candidate is skipped; null when they are to be enrolled. */
  reason: string | null;
}

/** The next queued members (by candidate id), each with the reason they are skipped, if any, as of now. */
export async function nextMembers(
  db: Db,
  campaignId: string,
  limit: number,
  rules: SkipRules,
): Promise<NextMember[]> {
  const running = (playbooks: string[]) => db`exists (
    select 1 from journeys j where j.candidate_id = c.id and j.playbook = any (${playbooks}::text[])
      and j.status = any (${RUNNING}::text[]))`;
  const holds = rules.holds
    .filter((h) => h.playbooks.length)
    .map((h) => db`when ${running(h.playbooks)} then ${`policy:${h.rule}`}::text`);
  const budget = rules.budget
    ? db`when (select count(*) from messages m where m.candidate_id = c.id
          and m.status = any (${CONTACT_STATUSES}::text[])
          and greatest(m.created_at, m.sent_at) >= ${rules.budget.since}) >= ${rules.budget.messages}
        then 'policy:budget'`
    : db``;
  return db<NextMember[]>`
    select m.candidate_id,
      case
        when c.erased_at is not null then 'erased'
        when c.unsubscribed_at is not null then 'unsubscribed'
        when not c.consent_email then 'no_consent'
        when c.email is null then 'no_email'
        when ${running([rules.playbook])} then 'in_playbook'
        ${holds.reduce((all, h) => db`${all} ${h}`, db``)}
        ${budget}
        else null
      end as reason
    from campaign_members m join candidates c on c.id = m.candidate_id
    where m.campaign_id = ${campaignId} and m.outcome = 'queued'
    order by m.candidate_id limit ${limit}`;
}

/** Records members skipped, with their reasons, or requested (their workflow signalled); queued ones only. */
export async function decideMembers(
  db: Db,
  campaignId: string,
  decided: { candidateId: string; outcome: 'requested' | 'skipped'; reason?: string | null }[],
): Promise<void> {
  if (!decided.length) return;
  await db`
    update campaign_members m set outcome = d.outcome, reason = d.reason, decided_at = now()
    from (select unnest(${decided.map((d) => d.candidateId)}::uuid[]) as candidate_id,
      unnest(${decided.map((d) => d.outcome)}::text[]) as outcome,
      unnest(${decided.map((d) => d.reason ?? null)}::text[]) as reason) d
    where m.campaign_id = ${campaignId} and m.candidate_id = d.candidate_id and m.outcome = 'queued'`;
}

/**
 * The candidate's workflow claims its enrollment (or records why it skips it): true when this run may
 * start the journey — the member was not decided yet, or this very run claimed it before (a retry).
 */
export async function claimEnrollment(
  db: Db,
  input: { campaignId: string; candidateId: string; runId: string; skip?: string | undefined },
): Promise<boolean> {
  if (input.skip) {
    await db`
      update campaign_members set outcome = 'skipped', reason = ${input.skip}, decided_at = now()
      where campaign_id = ${input.campaignId} and candidate_id = ${input.candidateId}
        and outcome in ('queued', 'requested')`;
    return false;
  }
  // One statement, holding the campaign's row: a cancel either commits first (the claim then sees it,
  // and the request starts nothing) or waits for the claim (the member was enrolled before the cancel).
  const [row] = await db<{ outcome: string }[]>`
    with campaign as (select status from campaigns where id = ${input.campaignId} for share)
    update campaign_members m set
      outcome = case when campaign.status = 'cancelled' then 'skipped' else 'enrolled' end,
      reason = case when campaign.status = 'cancelled' then 'cancelled' end,
      enrolled_by = case when campaign.status = 'cancelled' then m.enrolled_by else ${input.runId} end,
      decided_at = now()
    from campaign
    where m.campaign_id = ${input.campaignId} and m.candidate_id = ${input.candidateId}
      and (m.outcome in ('queued', 'requested') or (m.outcome = 'enrolled' and m.enrolled_by = ${input.runId}))
    returning m.outcome`;
  return row?.outcome === 'enrolled';
}

export async function queuedCount(db: Db, campaignId: string): Promise<number> {
  const [row] = await db<{ n: number }[]>`
    select count(*)::int as n from campaign_members where campaign_id = ${campaignId} and outcome = 'queued'`;
  return row!.n;
}

export interface CampaignNumbers {
  total: number;
  queued: number;
  /** Signalled, not yet started by the candidate's workflow. */
  requested: number;
  enrolled: number;
  skipped: number;
  skipped_by_reason: Record<string, number>;
  sent: number;
  clicked: number;
  replied: number;
  converted: number;
  /** Its candidates' answers and attendance, when it invites to a recruiting event. */
  recruiting_event: RsvpNumbers | null;
}

/**
 * A campaign's numbers: its members by outcome (skips by reason); then, over the journeys it started,
 * messages sent, journeys with a click or a reply, and journeys whose playbook goal was reached after
 * they started.
 */
export async function campaignNumbers(
  db: Db,
  campaign: Pick<CampaignRow, 'id' | 'recruiting_event_id'>,
): Promise<CampaignNumbers> {
  const campaignId = campaign.id;
  const eventId = campaign.recruiting_event_id;
  const [members, journeys, answers] = await Promise.all([
    db<{ outcome: string; reason: string | null; n: number }[]>`
      select outcome, reason, count(*)::int as n from campaign_members where campaign_id = ${campaignId}
      group by outcome, reason`,
    db<{ sent: number; clicked: number; replied: number; converted: number }[]>`
      with j as (
        select j.id, j.candidate_id, j.started_at, p.definition ->> 'goal' as goal
        from journeys j join playbook_versions p on p.playbook = j.playbook and p.version = j.playbook_version
        where j.campaign_id = ${campaignId})
      select
        (select count(*) from messages m join j on m.journey_id = j.id
          where m.status in ('sent', 'recorded'))::int as sent,
        (select count(*) from j where exists (select 1 from events e
          where e.data ->> 'journey_id' = j.id and e.type = 'candidate.clicked'))::int as clicked,
        (select count(*) from j where exists (select 1 from events e
          where e.data ->> 'journey_id' = j.id and e.type = 'candidate.replied'))::int as replied,
        (select count(*) from j where j.goal is not null and exists (select 1 from events e
          where e.candidate_id = j.candidate_id and e.type = j.goal and e.occurred_at >= j.started_at))::int
          as converted`,
    eventId ? rsvpNumbers(db, eventId, campaignId) : null,
  ]);
  const count = (outcome: string) =>
    members.filter((m) => m.outcome === outcome).reduce((n, m) => n + m.n, 0);
  const skippedByReason: Record<string, number> = {};
  for (const m of members)
    if (m.outcome === 'skipped')
      skippedByReason[m.reason ?? 'unknown'] = (skippedByReason[m.reason ?? 'unknown'] ?? 0) + m.n;
  return {
    total: members.reduce((n, m) => n + m.n, 0),
    queued: count('queued'),
    requested: count('requested'),
    enrolled: count('enrolled'),
    skipped: count('skipped'),
    skipped_by_reason: skippedByReason,
    ...journeys[0]!,
    recruiting_event: answers,
  };
}
