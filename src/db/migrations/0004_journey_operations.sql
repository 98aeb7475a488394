-- Journeys a recruiter cancels, messages whose journey ended before they left, and timelines for jobs.

alter table messages drop constraint messages_status_check;
alter table messages add constraint messages_status_check
  check (status in ('pending', 'sending', 'sent', 'recorded', 'suppressed', 'failed', 'unknown', 'cancelled'));

-- A job's playbooks record what they did (found, enrolled) on the job's timeline.
alter table interactions alter column candidate_id drop not null;
alter table interactions add column job_id uuid references jobs (id) on delete cascade;
alter table interactions add constraint interactions_subject_check
  check (candidate_id is not null or job_id is not null);
create index interactions_job_idx on interactions (job_id, occurred_at, id) where job_id is not null;

-- Effects record themselves once: a retried activity looks its entry up by the effect key.
create index interactions_effect_idx on interactions ((data ->> 'effect'));

create index journeys_job_idx on journeys (job_id) where job_id is not null;
