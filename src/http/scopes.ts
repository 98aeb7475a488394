// What an API key may do. A key carries a list of scopes; `*` grants all of them.
export const SCOPES = {
  'events:write': 'post candidate and job events',
  'candidates:read': 'search and read candidates, their journeys, messages, timeline, notes and export',
  'candidates:write': 'create and correct candidates, write notes',
  'candidates:erase': 'erase a candidate (personal data scrubbed, journeys ended)',
  'journeys:read': 'read journeys',
  'journeys:write': 'enroll candidates, pause, resume and cancel journeys',
  'jobs:read': 'read jobs and the candidates they rediscovered',
  'jobs:write': 'open and close jobs',
  'playbooks:read': 'list and read playbooks, validate and simulate them',
  'messages:read': 'read the outbox',
  'messages:write': 'send again a message whose delivery is unknown',
  'tasks:read': 'list recruiter tasks',
  'tasks:write': 'complete recruiter tasks',
  'pools:read': 'list, read and preview talent pools',
  'pools:write': 'create and delete talent pools, add and remove members',
  'campaigns:read': 'list and read campaigns with their numbers',
  'campaigns:write': 'launch, pause, resume and cancel campaigns',
  'recruiting-events:read': 'list and read recruiting events, their numbers and RSVPs',
  'recruiting-events:write': 'create recruiting events, check candidates in, close events',
  'metrics:read': 'scrape /metrics (counts only, some read from PostgreSQL at each scrape)',
} as const;

export type Scope = keyof typeof SCOPES;
export const ALL_SCOPES = Object.keys(SCOPES) as Scope[];

/** Unknown scope names in a list, for a clear error at key creation. */
export function unknownScopes(scopes: readonly string[]): string[] {
  return scopes.filter((s) => s !== '*' && !(s in SCOPES));
}

export function grants(scopes: readonly string[], needed: Scope): boolean {
  return scopes.includes('*') || scopes.includes(needed);
}
