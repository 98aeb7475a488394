-- One de-duplication rule for the timeline: every entry has a key that follows from what it records
-- (src/db/timeline.ts), and an entry is written at most once per key. Entries written before get the key
-- they would have had; of earlier duplicates the first keeps it and the others get one of their own.
alter table interactions add column dedup_key text;

with keyed as (
  select id,
    case
      when kind = 'event' and event_id is not null then 'event:' || event_id
      when kind in ('journey.started', 'journey.ended') and journey_id is not null then kind || ':' || journey_id
      when data ? 'effect' then 'step:' || kind || ':' || (data ->> 'effect')
      when kind like 'message.%' and message_id is not null then kind || ':' || message_id
      when kind = 'erased' then 'erased:' || candidate_id
      else null
    end as key
  from interactions),
ranked as (
  select id, key, row_number() over (partition by key order by id) as n from keyed)
update interactions i
set dedup_key = case when r.key is not null and r.n = 1 then r.key else 'entry:' || i.id end
from ranked r where r.id = i.id;

alter table interactions alter column dedup_key set not null;
create unique index interactions_dedup_key_idx on interactions (dedup_key);
