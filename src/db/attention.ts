// What needs a recruiter now (the console's home page): replies not answered, open tasks (overdue
// first), messages that failed or whose delivery is unknown (until one is sent again), journeys that failed, candidates open to
// work whom nobody contacted lately, sends a window or the cap deferred today, and ATS webhooks that did
// not become events. Each list is short.
import type { Db } from './client.js';

const LIMIT = 50;

export interface Attention {
  replies: {
    event_id: string;
    candidate_id: string;
    name: string;
    occurred_at: Date;
    subject: string | null;
  }[];
  tasks: {
    id: string;
    candidate_id: string | null;
    name: string | null;
    title: string;
    assignee: string | null;
    due_at: Date | null;
    overdue: boolean;
  }[];
  messages: {
    id: string;
    candidate_id: string | null;
    name: string | null;
    status: string;
    status_reason: string | null;
    subject: string | null;
    template: string;
    updated_at: Date;
    /** An `unknown` message that still has an address: a recruiter may send it again. */
    can_send_again: boolean;
  }[];
  journeys: {
    id: string;
    candidate_id: string | null;
    name: string | null;
    playbook: string;
    exit_reason: string | null;
    ended_at: Date | null;
  }[];
  uncontacted: { id: string; name: string; updated_at: Date }[];
  /** Source payloads that mapped to an invalid event or whose enrichment failed, last 30 days. */
  webhooks: {
    id: string;
    source: string;
    status: string;
    reason: string | null;
    received_at: Date;
  }[];
  deferred: {
    id: string;
    candidate_id: string | null;
    name: string | null;
    playbook: string;
    current_step: string | null;
    waiting_for: string;
    next_action_at: Date;
  }[];
}

export async function attention(db: Db, options: { uncontactedDays?: number } = {}): Promise<Attention> {
  // A candidate's name as lists show it: first and last name, else the email, else "a candidate".
  const name = db`coalesce(nullif(trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')), ''),
    c.email, 'a candidate')`;
  const days = options.uncontactedDays ?? 90;
  const [replies, tasks, messages, journeys, uncontacted, deferred, webhooks] = await Promise.all([
    // A reply is answered once the candidate was sent something, or a note was written, after it.
    db<Attention['replies']>`
      select e.id as event_id, c.id as candidate_id, ${name} as name, e.occurred_at,
        e.data ->> 'subject' as subject
      from events e join candidates c on c.id = e.candidate_id
      where e.type = 'candidate.replied' and c.erased_at is null
        and not exists (select 1 from messages m where m.candidate_id = c.id and m.status = 'sent'
          and m.sent_at > e.occurred_at and coalesce(m.to_address, '') <> coalesce(c.owner, ''))
        and not exists (select 1 from interactions i where i.candidate_id = c.id and i.kind = 'note'
          and i.occurred_at > e.occurred_at)
      order by e.occurred_at limit ${LIMIT}`,
    db<Attention['tasks']>`
      select t.id, t.candidate_id, case when c.id is null then null else ${name} end as name, t.title,
        t.assignee, t.due_at, coalesce(t.due_at < now(), false) as overdue
      from tasks t left join candidates c on c.id = t.candidate_id
      where t.status = 'open'
      order by t.due_at nulls last, t.created_at limit ${LIMIT}`,
    db<Attention['messages']>`
      select m.id, m.candidate_id, case when c.id is null then null else ${name} end as name, m.status,
        m.status_reason, m.subject, m.template, m.updated_at,
        (m.status = 'unknown' and m.to_address is not null) as can_send_again
      from messages m left join candidates c on c.id = m.candidate_id
      where m.status in ('failed', 'unknown')
        and not exists (select 1 from messages a where a.again_of = m.id)
      order by m.updated_at desc limit ${LIMIT}`,
    db<Attention['journeys']>`
      select j.id, j.candidate_id, case when c.id is null then null else ${name} end as name, j.playbook,
        j.exit_reason, j.ended_at
      from journeys j left join candidates c on c.id = j.candidate_id
      where j.status = 'failed' and coalesce(j.ended_at, j.updated_at) > now() - interval '30 days'
      order by coalesce(j.ended_at, j.updated_at) desc limit ${LIMIT}`,
    db<Attention['uncontacted']>`
      select c.id, ${name} as name, c.updated_at
      from candidates c
      where c.employment_status = 'open' and c.erased_at is null and c.unsubscribed_at is null
        and not exists (select 1 from messages m where m.candidate_id = c.id
          and m.status in ('sent', 'sending', 'unknown', 'recorded')
          and m.created_at > now() - make_interval(days => ${days}))
      order by c.updated_at desc limit ${LIMIT}`,
    db<Attention['deferred']>`
      select j.id, j.candidate_id, case when c.id is null then null else ${name} end as name, j.playbook,
        j.current_step, j.waiting_for, j.next_action_at
      from journeys j left join candidates c on c.id = j.candidate_id
      where j.ended_at is null and j.waiting_for in ('window', 'cap', 'policy')
        and j.updated_at >= date_trunc('day', now())
      order by j.next_action_at limit ${LIMIT}`,
    // A payload no rule matches is a kind of notification no playbook uses: /metrics counts it; these
    // are the ones a rule meant to take.
    db<Attention['webhooks']>`
      select id, source, status, reason, received_at from source_payloads
      where (status = 'failed' or (status = 'unmapped' and reason_kind = 'invalid-event'))
        and received_at > now() - interval '30 days'
      order by received_at desc limit ${LIMIT}`,
  ]);
  return { replies, tasks, messages, journeys, uncontacted, deferred, webhooks };
}
