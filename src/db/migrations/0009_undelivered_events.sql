-- Events stored but not yet delivered to their workflow, oldest first: what the API's sweep delivers
-- after a crash (src/api/event-sweep.ts). Small: an event leaves it once delivered.
create index events_undelivered_idx on events (received_at) where delivered_at is null;
