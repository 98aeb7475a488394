// A playbook's per-step funnel, for its console page: of the journeys in the playbook, how many reached
// each step, how many got a message sent (or recorded, on embedded defaults) there, how many clicked or
// replied to that message, and how many of those that reached it went on to the playbook's goal (a goal
// event after the journey first reached the step; the goal as pinned in the journey's version). Steps
// are counted by name across versions.
//
// "Reached" is any trace of the journey at the step: a message, a timeline entry (a decision, an update,
// a task, a webhook call, a rediscovery), or a rest there (journey_steps, kept by the mirror).
import type { Db } from './client.js';

export interface StepFunnel {
  step: string;
  reached: number;
  sent: number;
  engaged: number;
  goal: number;
}

export async function stepFunnel(db: Db, playbook: string): Promise<Map<string, StepFunnel>> {
  const rows = await db<StepFunnel[]>`
    with j as (
      select j.id, j.candidate_id, p.definition ->> 'goal' as goal
      from journeys j join playbook_versions p on p.playbook = j.playbook and p.version = j.playbook_version
      where j.playbook = ${playbook}),
    -- Each per journey (lateral), so the indexes serve whatever the planner believes of the counts.
    reached as (
      select j.id as journey_id, j.candidate_id, j.goal, t.step, min(t.at) as at
      from j cross join lateral (
        select s.step, s.reached_at as at from journey_steps s where s.journey_id = j.id
        union all
        select i.step, i.occurred_at from interactions i where i.journey_id = j.id and i.step is not null
        union all
        select m.step, m.created_at from messages m where m.journey_id = j.id and m.step is not null) t
      group by j.id, j.candidate_id, j.goal, t.step),
    sent as (
      select distinct j.id as journey_id, m.step from j
      join messages m on m.journey_id = j.id and m.status in ('sent', 'recorded')),
    engaged as (
      select distinct j.id as journey_id, e.data ->> 'step' as step from j cross join lateral (
        select e.data from events e
        where e.data ->> 'journey_id' = j.id and e.type in ('candidate.clicked', 'candidate.replied')) e)
    select r.step, count(*)::int as reached, count(s.journey_id)::int as sent,
      count(en.journey_id) filter (where s.journey_id is not null)::int as engaged,
      count(*) filter (where r.goal is not null and exists (
        select 1 from events g where g.candidate_id = r.candidate_id and g.type = r.goal
          and g.occurred_at >= r.at))::int as goal
    from reached r
    left join sent s on s.journey_id = r.journey_id and s.step = r.step
    left join engaged en on en.journey_id = r.journey_id and en.step = r.step
    group by r.step`;
  return new Map(rows.map((r) => [r.step, r]));
}
