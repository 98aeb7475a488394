-- Source payloads Rapport keeps: those no rule of the mapping could turn into an event (kept 30 days, to
-- replay once the mapping is fixed), and those whose rule reads the vendor's API first (the enrichment a
-- worker carries out after the webhook was answered; the row is what survives a crash or an outage).
create table source_payloads (
  id          uuid primary key default gen_random_uuid(),
  source      text not null,
  -- the event id the rule gives, for payloads being enriched: a redelivery is the same row
  event_key   text,
  status      text not null check (status in ('unmapped', 'enriching', 'failed', 'mapped')),
  -- why it is unmapped or failed: a category for /metrics, and the whole story
  reason_kind text,
  reason      text,
  headers     jsonb not null default '{}',
  payload     jsonb not null,
  -- the mapping it is being enriched with, as it was when the payload came (or was replayed)
  mapping     jsonb,
  rule        integer,
  -- the enrichment workflow was started (a sweep starts those a crash left unstarted)
  started     boolean not null default false,
  event_id    uuid,
  received_at timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);
create unique index source_payloads_key_idx on source_payloads (source, event_key) where event_key is not null;
create index source_payloads_source_idx on source_payloads (source, received_at);
create index source_payloads_received_idx on source_payloads (received_at);
create index source_payloads_unstarted_idx on source_payloads (updated_at) where status = 'enriching' and not started;

-- What /metrics counts per source: payloads no rule mapped, and enrichments that failed for good.
create table source_payload_counts (
  source  text not null,
  outcome text not null,
  reason  text not null,
  count   bigint not null default 0,
  primary key (source, outcome, reason)
);

-- A nonce is remembered with the body it came with: the same body again is a redelivery, another body a
-- replay. Each is forgotten after its own window.
alter table webhook_deliveries add column body_digest text;
alter table webhook_deliveries add column expires_at timestamptz not null default now() + interval '10 minutes';
create index webhook_deliveries_expires_idx on webhook_deliveries (expires_at);
drop index webhook_deliveries_received_idx;

-- The stages a candidate went through, for a rejection's furthest stage.
create index events_stage_idx on events (candidate_id) where data ? 'stage';
