-- Rediscovery (the `find` step, src/db/find.ts): indexes for finding contactable candidates by skill,
-- case-insensitively, and for excluding those contacted recently.

-- A candidate's skills as matched: trimmed, lower-cased, distinct, without blanks. Immutable so that it
-- can be indexed; writers keep storing skills as given.
create function skill_keys(skills text[]) returns text[]
  language sql immutable strict parallel safe
  as $$ select coalesce(array_agg(distinct k order by k), '{}') from (select lower(btrim(s)) as k from unnest(skills) s) x where k <> '' $$;

-- Only contactable candidates are ever found: the predicate is the query's own filter.
create index candidates_contactable_skill_keys_idx on candidates using gin (skill_keys(skills))
  where unsubscribed_at is null and consent_email;

-- "Contacted within": the latest of created/sent per candidate, for the statuses that count as contact.
create index messages_candidate_contact_idx on messages (candidate_id, greatest(created_at, sent_at))
  where status in ('sent', 'sending', 'unknown', 'recorded');
