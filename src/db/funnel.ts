// The funnel: candidates per stage now, how many entered each stage in the last 30 and 90 days (created
// in it, or moved into it by a playbook's update), messages by outcome, and journeys by status.
import type { Db } from './client.js';

export const STAGES = ['discover', 'attract', 'engage', 'nurture', 'hire'] as const;

export interface Funnel {
  stages: { stage: string; now: number; entered30: number; entered90: number }[];
  messages: { status: string; last30: number; last90: number }[];
  journeys: { status: string; n: number }[];
}

export async function funnel(db: Db): Promise<Funnel> {
  const [now, entered, messages, journeys] = await Promise.all([
    db<{ stage: string; n: number }[]>`
      select stage, count(*)::int as n from candidates where erased_at is null and stage is not null
      group by stage`,
    db<{ stage: string; d30: number; d90: number }[]>`
      with entries as (
        select stage, created_at as at from candidates where erased_at is null and stage is not null
        union all
        select i.data -> 'set' ->> 'stage', i.occurred_at from interactions i
        where i.kind = 'candidate.updated' and i.data -> 'set' ->> 'stage' is not null
          and i.occurred_at > now() - interval '90 days')
      select stage, count(*) filter (where at > now() - interval '30 days')::int as d30,
        count(*) filter (where at > now() - interval '90 days')::int as d90
      from entries group by stage`,
    db<{ status: string; d30: number; d90: number }[]>`
      select status, count(*) filter (where created_at > now() - interval '30 days')::int as d30,
        count(*)::int as d90
      from messages where created_at > now() - interval '90 days' group by status order by status`,
    db<{ status: string; n: number }[]>`
      select status, count(*)::int as n from journeys group by status order by status`,
  ]);
  return {
    stages: STAGES.map((stage) => {
      const e = entered.find((r) => r.stage === stage);
      return {
        stage,
        now: now.find((r) => r.stage === stage)?.n ?? 0,
        entered30: e?.d30 ?? 0,
        entered90: e?.d90 ?? 0,
      };
    }),
    messages: messages.map((m) => ({ status: m.status, last30: m.d30, last90: m.d90 })),
    journeys,
  };
}
