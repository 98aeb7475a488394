-- Delivery phases and sending again.
--
-- `data_sent_at`: when the message data was handed to the provider — for email, the moment the SMTP server
-- accepted DATA, written before the first byte of the message goes out. A row left `sending` without it
-- never reached the point where the server could take the message: a later attempt delivers it. One left
-- with it may have been accepted, so it becomes `unknown`. `attempts` names the attempt that holds a
-- `sending` row: the handover is recorded only by that attempt.
--
-- `again_of`: the message a recruiter sent again after its delivery was `unknown`; at most one per message.
alter table messages add column data_sent_at timestamptz;
alter table messages add column again_of uuid references messages (id) on delete set null;
create unique index messages_again_of_idx on messages (again_of) where again_of is not null;
