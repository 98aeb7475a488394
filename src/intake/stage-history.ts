// A rejection's furthest stage: the furthest of what the ATS says (the stage the candidate was in) and
// the stages Rapport recorded for them before — for the same job when the event names one — so that a
// candidate moved back before being rejected still counts as having reached the interview.
import type { Db } from '../db/client.js';
import { furthest, isStage, kindOfType, type Stage } from '../sources/stages.js';

/** Whether an event of this type gets a furthest stage. */
export const endsProcess = (type: string) => kindOfType(type) === 'rejected';

export async function withFurthestStage(
  db: Db,
  candidateId: string,
  data: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const id = (data.job as { id?: unknown } | undefined)?.id;
  const jobId = typeof id === 'string' || typeof id === 'number' ? String(id) : null;
  const rows = await db<{ stage: unknown; reached: unknown }[]>`
    select data->'stage' as stage, data->'furthest_stage' as reached from events
    where candidate_id = ${candidateId} and data ? 'stage'
      and (${jobId}::text is null or data->'job'->>'id' is null or data->'job'->>'id' = ${jobId})
    order by received_at desc limit 500`;
  const known: (Stage | undefined)[] = [isStage(data.furthest_stage) ? data.furthest_stage : undefined];
  for (const row of rows) {
    if (isStage(row.stage)) known.push(row.stage);
    if (isStage(row.reached)) known.push(row.reached);
  }
  const best = furthest(known);
  return best ? { ...data, furthest_stage: best } : data;
}
