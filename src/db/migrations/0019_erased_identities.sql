-- An erased candidate's identities (normalized email; a source's external id), each kept only as a keyed
-- digest (HMAC-SHA256 with the link secret): enough to recognise an event from before the erasure that
-- names them, so that a vendor's retry or a replay cannot bring the person back, and nothing to read
-- them from. An event that happened after the erasure (they apply again) is taken as usual.
create table erased_identities (
  digest    text primary key,
  erased_at timestamptz not null
);
