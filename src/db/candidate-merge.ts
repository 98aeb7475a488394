// Two candidate rows that turn out to be one person (an ATS's external id on one, the email on the other)
// become one: everything about the duplicate moves to the candidate kept, and the duplicate row goes.
import type { Db as Tx } from './client.js';
import { recordTimeline } from './timeline.js';

export async function mergeCandidates(tx: Tx, keep: string, gone: string): Promise<void> {
  // The duplicate's journeys end with it: its workflow is ended by the caller once this commits.
  await tx`
    update journeys set status = 'exited', exit_reason = 'merged', ended_at = now(), updated_at = now()
    where candidate_id = ${gone} and ended_at is null`;
  await tx`
    update candidates k set
      first_name = coalesce(k.first_name, g.first_name), last_name = coalesce(k.last_name, g.last_name),
      phone = coalesce(k.phone, g.phone), timezone = coalesce(k.timezone, g.timezone),
      locale = coalesce(k.locale, g.locale), location = coalesce(k.location, g.location),
      stage = coalesce(k.stage, g.stage), employment_status = coalesce(k.employment_status, g.employment_status),
      birthday = coalesce(k.birthday, g.birthday), owner = coalesce(k.owner, g.owner),
      tags = array(select distinct unnest(k.tags || g.tags)),
      skills = array(select distinct unnest(k.skills || g.skills)),
      consent_email = k.consent_email or g.consent_email, consent_sms = k.consent_sms or g.consent_sms,
      unsubscribed_at = least(k.unsubscribed_at, g.unsubscribed_at),
      custom = g.custom || k.custom,
      created_at = least(k.created_at, g.created_at), updated_at = now()
    from candidates g where k.id = ${keep} and g.id = ${gone}`;
  await tx`
    update candidate_external_ids set candidate_id = ${keep} where candidate_id = ${gone}`;
  for (const table of ['events', 'messages', 'interactions', 'tasks', 'journeys'] as const) {
    await tx`update ${tx(table)} set candidate_id = ${keep} where candidate_id = ${gone}`;
  }
  // Static pools and recruiting events the duplicate is in follow it to the kept candidate (where both
  // are, the kept candidate's place and answer stay).
  await tx`
    update pool_members m set candidate_id = ${keep} where m.candidate_id = ${gone}
      and not exists (select 1 from pool_members k where k.pool_id = m.pool_id and k.candidate_id = ${keep})`;
  await tx`
    update event_rsvps r set candidate_id = ${keep} where r.candidate_id = ${gone}
      and not exists (select 1 from event_rsvps k where k.event_id = r.event_id and k.candidate_id = ${keep})`;
  await tx`delete from candidates where id = ${gone}`;
  await recordTimeline(tx, { kind: 'merged', candidateId: keep, merged: gone });
}
