-- Journeys may wait for the contact policy (a send held by its budget, a hold rule or a quiet period).
alter table journeys drop constraint if exists journeys_waiting_for_check;
alter table journeys add constraint journeys_waiting_for_check
  check (waiting_for in ('wait', 'window', 'cap', 'repeat', 'policy', 'event'));
