-- Failed activity attempts, counted by the worker that saw them, so that the API's /metrics (possibly in
-- another process) reports them.
create table activity_failures (
  activity  text not null,
  kind      text not null,
  count     bigint not null default 0,
  last_at   timestamptz not null default now(),
  primary key (activity, kind)
);
