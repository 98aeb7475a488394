// The journeys table mirrors each journey's state so lists and dashboards never scan Temporal.
import type { EarlierJourney } from '../../workflows/contract.js';
import type { Db } from './client.js';

export interface JourneyMirror {
  id: string;
  workflowId: string;
  candidateId: string | null;
  jobId: string | null;
  /** The campaign that started it. */
  campaignId?: string | null;
  playbook: string;
  version: number;
  status: 'running' | 'waiting' | 'paused' | 'completed' | 'exited' | 'cancelled' | 'failed';
  currentStep: string | null;
  nextActionAt: string | null;
  /**
   * Why it waits for `nextActionAt`: a wait step, a sending window, the cap, a repeat, the contact
   * policy, or an event.
   */
  waitingFor?: 'wait' | 'window' | 'cap' | 'repeat' | 'policy' | 'event' | null;
  startedAt: string;
  exitReason: string | null;
  /** The value of `enroll.per` the journey is about. */
  key?: string | undefined;
}

export async function upsertJourney(db: Db, j: JourneyMirror): Promise<void> {
  const ended = ['completed', 'exited', 'cancelled', 'failed'].includes(j.status);
  await db`
    insert into journeys (id, workflow_id, candidate_id, job_id, campaign_id, playbook, playbook_version, status,
      current_step, next_action_at, waiting_for, started_at, ended_at, exit_reason, per_key)
    values (${j.id}, ${j.workflowId}, ${j.candidateId}, ${j.jobId}, ${j.campaignId ?? null}, ${j.playbook}, ${j.version}, ${j.status}, ${j.currentStep},
      ${j.nextActionAt}, ${j.waitingFor ?? null}, ${j.startedAt}, ${ended ? db`now()` : null}, ${j.exitReason}, ${j.key ?? null})
    on conflict (id) do update set status = excluded.status, current_step = excluded.current_step,
      next_action_at = excluded.next_action_at, waiting_for = excluded.waiting_for, ended_at = excluded.ended_at,
      exit_reason = excluded.exit_reason,
      playbook_version = excluded.playbook_version,
      updated_at = now()`;
  if (j.currentStep)
    await db`
      insert into journey_steps (journey_id, step) values (${j.id}, ${j.currentStep}) on conflict do nothing`;
}

/**
 * What a candidate's workflow remembers across runs: the journeys its earlier runs started (newest
 * `limit`), and the events they took in (newest `limit`; see rememberHandled).
 */
export async function candidateMemory(db: Db, candidateId: string, workflowId: string, limit: number) {
  const [journeys, events] = await Promise.all([
    db<{ id: string; playbook: string; started_at: Date; per_key: string | null }[]>`
      select id, playbook, started_at, per_key from journeys
      where candidate_id = ${candidateId} and workflow_id = ${workflowId}
      order by started_at desc, id desc limit ${limit}`,
    db<{ id: string }[]>`
      select id from events where candidate_id = ${candidateId} and handled_at is not null
      order by received_at desc limit ${limit}`,
  ]);
  return {
    history: journeys.reverse().map((j): EarlierJourney => ({
      id: j.id,
      playbook: j.playbook,
      startedAt: j.started_at.toISOString(),
      ...(j.per_key !== null ? { key: j.per_key } : {}),
    })),
    seenEventIds: events.map((e) => e.id).reverse(),
  };
}

/** Notes, as a run of a candidate's workflow ends, the events it took in: a later run ignores them. */
export async function rememberHandled(
  db: Db,
  candidateId: string,
  eventIds: readonly string[],
): Promise<void> {
  if (!eventIds.length) return;
  await db`
    update events set handled_at = coalesce(handled_at, now())
    where candidate_id = ${candidateId} and id = any(${eventIds as string[]}::uuid[])`;
}

/** A row of `journeys` as the API shows it. */
export interface JourneyRow {
  id: string;
  workflow_id: string;
  candidate_id: string | null;
  job_id: string | null;
  playbook: string;
  playbook_version: number;
  status: string;
  current_step: string | null;
  next_action_at: Date | null;
  started_at: Date;
  ended_at: Date | null;
  exit_reason: string | null;
}

export async function listJourneysForCandidate(db: Db, candidateId: string) {
  return db<Omit<JourneyRow, 'workflow_id' | 'candidate_id' | 'job_id'>[]>`
    select id, playbook, playbook_version, status, current_step, next_action_at, started_at, ended_at, exit_reason
    from journeys where candidate_id = ${candidateId} order by started_at`;
}

export async function getJourney(db: Db, id: string): Promise<JourneyRow | undefined> {
  const [row] = await db<JourneyRow[]>`
    select id, workflow_id, candidate_id, job_id, playbook, playbook_version, status, current_step, next_action_at,
      started_at, ended_at, exit_reason
    from journeys where id = ${id}`;
  return row;
}

/** Running journeys of a playbook on versions other than `version`: where each one is. */
export async function journeysToMigrate(db: Db, playbook: string, version: number) {
  return db<{ id: string; workflow_id: string; playbook_version: number; current_step: string | null }[]>`
    select id, workflow_id, playbook_version, current_step from journeys
    where playbook = ${playbook} and ended_at is null and playbook_version <> ${version}
    order by playbook_version, current_step, id`;
}

/** Journeys by playbook and status (the rapport_journeys gauge). */
export async function countJourneys(db: Db): Promise<{ playbook: string; status: string; n: number }[]> {
  return db<{ playbook: string; status: string; n: number }[]>`
    select playbook, status, count(*)::int as n from journeys group by playbook, status`;
}

/** The candidate workflows with a journey a job started that has not ended (told when the job closes). */
export async function workflowsWithOpenJobJourneys(db: Db, jobId: string): Promise<string[]> {
  const rows = await db<{ workflow_id: string }[]>`
    select distinct workflow_id from journeys
    where job_id = ${jobId} and candidate_id is not null and ended_at is null`;
  return rows.map((r) => r.workflow_id);
}
