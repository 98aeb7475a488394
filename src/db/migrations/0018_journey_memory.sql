-- A candidate's memory outlives each run of their workflow: a new run reads back which journeys they had
-- (for re-entry rules, and so that no journey starts twice) and which events already reached them
-- (events_candidate_idx). The value a journey was enrolled for (`enroll.per`) is kept beside it, so that
-- `reentry` holds per value too.
alter table journeys add column per_key text;

-- When the candidate's workflow had taken the event in (written as a run ends: a later run ignores it).
alter table events add column handled_at timestamptz;
