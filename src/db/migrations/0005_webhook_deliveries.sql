-- Signed webhook requests already seen, to refuse a replayed one inside the replay window.
create table webhook_deliveries (
  source      text not null,
  signature   text not null,
  received_at timestamptz not null default now(),
  primary key (source, signature)
);
create index webhook_deliveries_received_idx on webhook_deliveries (received_at);
