-- Secrets the processes share without configuration: the key that signs unsubscribe links, made once.
create table settings (
  key   text primary key,
  value text not null
);
insert into settings (key, value) values ('link_secret', encode(gen_random_bytes(32), 'hex'));
