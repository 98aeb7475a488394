-- Recruiting events (meetups, webinars, career fairs) and the candidates' answers to them.
--
-- A campaign may invite to an event: its journeys carry the event, their messages its signed RSVP links.
-- An answer is one row per candidate and event, changed in place (`version` counts the changes, and
-- names the `candidate.rsvp` event each change records once). A "yes" takes a seat while there is one,
-- else a place on the waitlist (first come, first served); a "no" from someone going gives their seat to
-- the first on the waitlist. Check-in marks who came; closing the event decides attended / no-show for
-- everyone expected (going, or checked in) and records `event.attended` / `event.no_show`, each once
-- (`outcome_recorded`).
create table recruiting_events (
  id          uuid primary key default gen_random_uuid(),
  name        text not null unique,
  title       text not null,
  kind        text not null check (kind in ('meetup', 'webinar', 'career_fair', 'other')),
  starts_at   timestamptz not null,
  ends_at     timestamptz not null,
  timezone    text not null,
  location    text,
  url         text,
  capacity    integer check (capacity is null or capacity > 0),
  status      text not null default 'scheduled' check (status in ('scheduled', 'closed')),
  created_at  timestamptz not null default now(),
  closed_at   timestamptz,
  check (ends_at > starts_at),
  check (location is not null or url is not null)
);
create index recruiting_events_created_idx on recruiting_events (created_at desc, id desc);
create index recruiting_events_open_idx on recruiting_events (ends_at) where status = 'scheduled';

create table event_rsvps (
  event_id      uuid not null references recruiting_events (id) on delete cascade,
  candidate_id  uuid not null references candidates (id) on delete cascade,
  answer        text check (answer in ('yes', 'no', 'maybe')),
  status        text not null check (status in ('going', 'waitlisted', 'maybe', 'declined', 'walk_in')),
  version       integer not null default 1,
  answered_at   timestamptz not null default now(),
  -- Order on the waitlist: when the candidate asked for a seat.
  wanted_at     timestamptz,
  -- Set when a seat given up went to this candidate from the waitlist.
  promoted_at   timestamptz,
  -- The version whose `candidate.rsvp` is recorded: a change not recorded yet (a crash) is found again.
  recorded_version integer not null default 0,
  checked_in_at timestamptz,
  outcome       text check (outcome in ('attended', 'no_show')),
  -- Set once `event.attended` / `event.no_show` is recorded (a crash in between is found again).
  outcome_recorded boolean not null default false,
  primary key (event_id, candidate_id)
);
create index event_rsvps_waitlist_idx on event_rsvps (event_id, wanted_at) where status = 'waitlisted';
create index event_rsvps_unrecorded_idx on event_rsvps (event_id) where recorded_version < version and answer is not null;
create index event_rsvps_unrecorded_outcome_idx on event_rsvps (event_id)
  where outcome is not null and not outcome_recorded;
create index event_rsvps_candidate_idx on event_rsvps (candidate_id);

-- The event a campaign invites to (its journeys carry it; its numbers count its RSVPs and attendance).
alter table campaigns add column recruiting_event_id uuid references recruiting_events (id) on delete set null;
