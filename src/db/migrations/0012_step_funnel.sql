-- The per-step funnel of a playbook (reached → sent → clicked or replied → goal, src/db/step-funnel.ts).
-- A journey leaves a trace at most steps it reaches: a message, a timeline entry, or — at a step where it
-- rests (a wait, a waitFor, a repeat, a pause) — the mirror's current step, which is now also kept here
-- once per journey and step, so the count stays after the journey moves on.
create table journey_steps (
  journey_id text not null references journeys (id) on delete cascade,
  step       text not null,
  reached_at timestamptz not null default now(),
  primary key (journey_id, step)
);

insert into journey_steps (journey_id, step, reached_at)
select id, current_step, updated_at from journeys where current_step is not null
on conflict do nothing;

create index interactions_journey_step_idx on interactions (journey_id, step);
create index messages_journey_step_idx on messages (journey_id, step);
-- Clicks and replies name the message's journey and step in their data.
create index events_engagement_idx on events ((data ->> 'journey_id'), (data ->> 'step'))
  where type in ('candidate.clicked', 'candidate.replied');
