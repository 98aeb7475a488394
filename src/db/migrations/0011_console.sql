-- The console: sessions of people signed in with an API key (the token is kept as its SHA-256 hash; a
-- session ends when it expires, when its key is revoked, or at sign-out), and why a journey waits, so
-- the attention page can list sends a window or a cap deferred.
create table console_sessions (
  token_hash  text primary key,
  api_key_id  uuid not null references api_keys (id) on delete cascade,
  csrf        text not null,
  created_at  timestamptz not null default now(),
  expires_at  timestamptz not null
);
create index console_sessions_key_idx on console_sessions (api_key_id);

alter table journeys add column waiting_for text
  check (waiting_for in ('wait', 'window', 'cap', 'repeat', 'event'));
