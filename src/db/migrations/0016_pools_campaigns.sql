-- Talent pools and campaigns (the attract stage).
--
-- A pool is static (its members listed in pool_members: added by API, CSV import or a playbook's update)
-- or smart (a saved filter over candidates, run as SQL: src/db/pool-filter.ts). Pools defined in
-- pipelines/pools/*.yaml carry their file and are kept in step at publish.
create table pools (
  id          uuid primary key default gen_random_uuid(),
  name        text not null unique,
  description text,
  kind        text not null check (kind in ('static', 'smart')),
  filter      jsonb,
  source_file text,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  check ((kind = 'smart') = (filter is not null))
);

create table pool_members (
  pool_id      uuid not null references pools (id) on delete cascade,
  candidate_id uuid not null references candidates (id) on delete cascade,
  added_at     timestamptz not null default now(),
  primary key (pool_id, candidate_id)
);
create index pool_members_candidate_idx on pool_members (candidate_id);

-- A campaign enrolls a pool's members into a playbook at a set rate, once each (campaign/<id>).
create table campaigns (
  id              uuid primary key default gen_random_uuid(),
  name            text not null,
  playbook        text not null,
  pool_id         uuid references pools (id) on delete set null,
  pool_name       text not null,
  contact_class   text,
  rate_per_minute integer check (rate_per_minute is null or rate_per_minute > 0),
  start_at        timestamptz not null default now(),
  status          text not null default 'scheduled'
                  check (status in ('scheduled', 'running', 'paused', 'cancelled', 'completed')),
  total           integer,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  ended_at        timestamptz
);
create index campaigns_created_idx on campaigns (created_at desc, id desc);

-- Who a campaign takes, snapshotted from its pool when it starts. Each row goes from queued to skipped
-- (with its reason), or to requested (the candidate's workflow was signalled) and then enrolled, which
-- the candidate's workflow claims once (enrolled_by: its run, so a retried claim of the same run gets
-- it again and no other run can): that is what makes a campaign enroll nobody twice.
create table campaign_members (
  campaign_id  uuid not null references campaigns (id) on delete cascade,
  candidate_id uuid not null references candidates (id) on delete cascade,
  outcome      text not null default 'queued' check (outcome in ('queued', 'requested', 'enrolled', 'skipped')),
  reason       text,
  enrolled_by  text,
  decided_at   timestamptz,
  primary key (campaign_id, candidate_id)
);
create index campaign_members_queued_idx on campaign_members (campaign_id, candidate_id) where outcome = 'queued';
create index campaign_members_candidate_idx on campaign_members (candidate_id);

-- The campaign a journey was started by, for its numbers (sent, clicked, replied, converted).
alter table journeys add column campaign_id uuid references campaigns (id) on delete set null;
create index journeys_campaign_idx on journeys (campaign_id) where campaign_id is not null;

-- Smart pool filters: employment status, source, location and recent contact.
create index candidates_employment_status_idx on candidates (employment_status) where erased_at is null;
create index candidates_source_idx on candidates (source) where erased_at is null;
create index journeys_candidate_playbook_idx on journeys (candidate_id, playbook);
