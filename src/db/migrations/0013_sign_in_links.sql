-- One-time sign-in links for the console (`rapport up` prints one): the link holds a random token (its
-- SHA-256 hash is stored) that opens one session for its key, once, before it expires.
create table sign_in_links (
  token_hash  text primary key,
  api_key_id  uuid not null references api_keys (id) on delete cascade,
  created_at  timestamptz not null default now(),
  expires_at  timestamptz not null,
  used_at     timestamptz
);
