// What some events say about the candidate themselves, recorded on the candidate before any journey
// reacts: an unsubscribe stops every message at once, and a hire takes them out of rediscovery. The API
// applies these to the database; `rapport simulate` applies them to its candidate, so both agree.

export interface EventFacts {
  unsubscribed_at?: string;
  stage?: string;
}

export function eventFacts(type: string, at: string): EventFacts {
  switch (type) {
    case 'candidate.unsubscribed':
      return { unsubscribed_at: at };
    case 'candidate.hired':
      return { stage: 'hired' };
    default:
      return {};
  }
}

/** Whether the event says anything about the candidate to record. */
export function hasFacts(facts: EventFacts): boolean {
  return facts.unsubscribed_at !== undefined || facts.stage !== undefined;
}
