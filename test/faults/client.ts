// The fault suite's event sender, as a job board would be: it posts to the API over HTTP, retries what
// was not answered (the API is down, or answered 503) and counts every answer by status.
export interface Tally {
  /** Answers by HTTP status. */
  statuses: Map<number, number>;
  /** Requests that got no answer (the API was down or died mid-request), each retried. */
  unanswered: number;
}

export function newTally(): Tally {
  return { statuses: new Map(), unanswered: 0 };
}

/** Status 5xx other than 503: what the API must never answer. */
export const serverErrors = (t: Tally) =>
  [...t.statuses].filter(([s]) => s >= 500 && s !== 503).reduce((n, [, c]) => n + c, 0);

/**
 * Posts a body until it is answered 2xx (accepted) or 4xx (refused, not retried); a 5xx or no answer
 * is retried after a short wait. Gives up after `deadlineMs`.
 */
export async function postUntilAnswered(
  url: string,
  key: string,
  body: unknown,
  tally: Tally,
  deadlineMs = 600_000,
): Promise<number> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`no answer to a post within ${deadlineMs} ms`);
    let status: number;
    let retryAfterS = 0;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      status = res.status;
      retryAfterS = Number(res.headers.get('retry-after') ?? 0);
      await res.arrayBuffer();
    } catch {
      tally.unanswered += 1;
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
    if (status < 500) return status;
    await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(100, retryAfterS * 1000))));
  }
}
