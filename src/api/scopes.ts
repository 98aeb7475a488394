// What an API key may do. A key carries a list of scopes; `*` grants all of them.
export const SCOPES = {
  'events:write': 'post candidate and job events',
  'candidates:read': 'read candidates, their journeys, messages and timeline',
  'journeys:read': 'read journeys',
  'journeys:write': 'enroll candidates, pause, resume and cancel journeys',
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
