-- Erasure, search and notes: an erased candidate keeps its row (anonymous counts still add up) with every
-- personal field scrubbed; lists page by creation time; notes are timeline entries written by people.

alter table candidates add column erased_at timestamptz;
create index candidates_created_idx on candidates (created_at desc, id desc) where erased_at is null;
create index candidates_stage_idx on candidates (stage) where erased_at is null;

create index messages_created_idx on messages (created_at desc, id desc);
create index tasks_status_created_idx on tasks (status, created_at desc, id desc);
