// Who "owner" is in a playbook: the recruiter a task goes to and a `send: { to: owner }` reaches.
// The candidate's own recruiter (`candidate.owner`) comes first, being the more specific; else the
// playbook's `owner`. Shared by the interpreter (tasks) and the send activity (notifications).

/** The owner's address, or undefined when neither the candidate nor the playbook names one. */
export function ownerOf(
  definition: { owner?: string | undefined },
  candidate: object & { owner?: unknown },
): string | undefined {
  const own = candidate.owner;
  if (typeof own === 'string' && own.trim()) return own;
  return definition.owner;
}
