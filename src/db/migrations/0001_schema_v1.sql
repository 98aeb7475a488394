-- Schema v1: candidates, jobs, events, journeys, the outbox, the timeline, tasks, playbook versions
-- and API keys.

create extension if not exists pgcrypto;

create table candidates (
  id                uuid primary key default gen_random_uuid(),
  email             text,
  email_normalized  text generated always as (lower(btrim(email))) stored,
  first_name        text,
  last_name         text,
  phone             text,
  timezone          text,
  locale            text,
  location          text,
  tags              text[] not null default '{}',
  skills            text[] not null default '{}',
  stage             text,
  employment_status text,
  consent_email     boolean not null default false,
  consent_sms       boolean not null default false,
  unsubscribed_at   timestamptz,
  birthday          date,
  source            text,
  owner             text,
  custom            jsonb not null default '{}',
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now()
);
create unique index candidates_email_normalized_key on candidates (email_normalized) where email_normalized is not null;
create index candidates_tags_idx on candidates using gin (tags);
create index candidates_skills_idx on candidates using gin (skills);

-- A candidate as known to a job board or ATS.
create table candidate_external_ids (
  source       text not null,
  external_id  text not null,
  candidate_id uuid not null references candidates (id) on delete cascade,
  created_at   timestamptz not null default now(),
  primary key (source, external_id)
);
create index candidate_external_ids_candidate_idx on candidate_external_ids (candidate_id);

create table jobs (
  id           uuid primary key default gen_random_uuid(),
  source       text,
  external_id  text,
  title        text not null,
  location     text,
  skills       text[] not null default '{}',
  seniority    text,
  tags         text[] not null default '{}',
  status       text not null default 'open' check (status in ('open', 'closed')),
  owner        text,
  custom       jsonb not null default '{}',
  opened_at    timestamptz not null default now(),
  closed_at    timestamptz,
  unique (source, external_id)
);

create table events (
  id              uuid primary key default gen_random_uuid(),
  source          text not null default 'api',
  source_event_id text,
  type            text not null,
  candidate_id    uuid references candidates (id) on delete set null,
  job_id          uuid references jobs (id) on delete set null,
  data            jsonb not null default '{}',
  occurred_at     timestamptz not null default now(),
  received_at     timestamptz not null default now(),
  -- set once the event reached the subject's workflow; a retried event with this unset is re-sent
  delivered_at    timestamptz,
  unique (source, source_event_id)
);
create index events_candidate_idx on events (candidate_id, received_at);

create table playbook_versions (
  playbook     text not null,
  version      integer not null,
  stage        text not null,
  content_hash text not null,
  definition   jsonb not null,
  source_file  text,
  published_at timestamptz not null default now(),
  primary key (playbook, version)
);

-- Mirror of journey state kept by the workflow, for lists and dashboards.
create table journeys (
  id               text primary key,
  workflow_id      text not null,
  candidate_id     uuid references candidates (id) on delete cascade,
  job_id           uuid references jobs (id) on delete cascade,
  playbook         text not null,
  playbook_version integer not null,
  status           text not null check (status in ('running', 'waiting', 'paused', 'completed', 'exited', 'cancelled', 'failed')),
  current_step     text,
  next_action_at   timestamptz,
  started_at       timestamptz not null default now(),
  ended_at         timestamptz,
  exit_reason      text,
  updated_at       timestamptz not null default now()
);
create index journeys_candidate_idx on journeys (candidate_id);
create index journeys_playbook_status_idx on journeys (playbook, status);

-- The outbox: one row per step iteration, whatever happens to delivery.
create table messages (
  id               uuid primary key default gen_random_uuid(),
  idempotency_key  text not null unique,
  candidate_id     uuid references candidates (id) on delete cascade,
  journey_id       text,
  step             text,
  channel          text not null check (channel in ('email', 'sms')),
  template         text not null,
  to_address       text,
  from_address     text,
  subject          text,
  body_text        text,
  body_html        text,
  status           text not null check (status in ('pending', 'sending', 'sent', 'recorded', 'suppressed', 'failed', 'unknown')),
  status_reason    text,
  provider_id      text,
  attempts         integer not null default 0,
  created_at       timestamptz not null default now(),
  sent_at          timestamptz,
  updated_at       timestamptz not null default now()
);
create index messages_candidate_idx on messages (candidate_id, created_at);
create index messages_status_idx on messages (status, created_at);

-- The timeline: every interaction with a candidate.
create table interactions (
  id           bigint generated always as identity primary key,
  candidate_id uuid not null references candidates (id) on delete cascade,
  kind         text not null,
  summary      text not null,
  journey_id   text,
  step         text,
  message_id   uuid references messages (id) on delete set null,
  event_id     uuid references events (id) on delete set null,
  data         jsonb not null default '{}',
  occurred_at  timestamptz not null default now()
);
create index interactions_candidate_idx on interactions (candidate_id, occurred_at, id);

create table tasks (
  id           uuid primary key default gen_random_uuid(),
  candidate_id uuid references candidates (id) on delete cascade,
  job_id       uuid references jobs (id) on delete cascade,
  journey_id   text,
  step         text,
  title        text not null,
  assignee     text,
  due_at       timestamptz,
  status       text not null default 'open' check (status in ('open', 'completed', 'cancelled')),
  created_at   timestamptz not null default now(),
  completed_at timestamptz
);
create index tasks_assignee_status_idx on tasks (assignee, status);

create table api_keys (
  id           uuid primary key default gen_random_uuid(),
  name         text not null,
  prefix       text not null unique,
  key_hash     text not null,
  scopes       text[] not null,
  created_at   timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);
