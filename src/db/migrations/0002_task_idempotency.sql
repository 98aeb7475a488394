-- A task created by a journey step is created once, even when its activity is retried.
alter table tasks add column idempotency_key text unique;
