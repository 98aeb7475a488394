// The one Liquid scope of playbook expressions and message templates, as docs/playbooks.md names it:
// `candidate`, `job` (when the journey has one), `event`, `journey`, `now`, `org`, plus what a caller adds
// (a message's links, `env` references in webhooks). The interpreter, the enrollment rule, the send
// activity and the simulator all build it here, so an expression and a template see the same names.

export interface ScopeParts {
  candidate: object;
  job?: unknown;
  org?: object | undefined;
  event?: unknown;
  /** The instant the step runs at (ISO). */
  now: string;
  journey?: {
    id: string;
    playbook: string;
    version: number;
    started_at: string;
    /** The step rendering a message. */
    step?: string;
  };
}

export function liquidScope(parts: ScopeParts, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    candidate: parts.candidate,
    job: parts.job,
    org: parts.org ?? {},
    event: parts.event,
    now: parts.now,
    ...(parts.journey ? { journey: parts.journey } : {}),
    ...extra,
  };
}
