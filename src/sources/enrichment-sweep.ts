// What the webhook request could not finish: a payload stored for enrichment whose workflow did not start
// (Temporal away, a crash right after the answer) is started by this sweep, and payloads kept longer than
// KEEP_DAYS are forgotten. Runs in API processes next to the event sweep.
import type { Logger } from 'pino';
import { forgetOldPayloads, KEEP_DAYS, unstartedEnrichments } from '../db/source-payloads.js';
import { startEnrichment, type SourceIntakeDeps } from './intake.js';
import { periodically } from '../runtime/periodically.js';

const SWEEP_MS = 30_000;
const SWEEP_AGE_S = 10;
const FORGET_EVERY_MS = 3_600_000;
const BATCH = 100;

/** Starts the enrichments stored more than `olderThanS` ago and never started; answers how many started. */
export async function startUnstarted(deps: SourceIntakeDeps, olderThanS: number): Promise<number> {
  let started = 0;
  for (const id of await unstartedEnrichments(deps.sql, olderThanS, BATCH))
    if (await startEnrichment(deps, id)) started++;
  return started;
}

export function startEnrichmentSweep(deps: SourceIntakeDeps & { log: Logger }): { stop(): Promise<void> } {
  let forgotAt = 0;
  return periodically(
    SWEEP_MS,
    async () => {
      const started = await startUnstarted(deps, SWEEP_AGE_S);
      if (started) deps.log.info({ started }, 'started source payload enrichments left unstarted');
      if (Date.now() - forgotAt > FORGET_EVERY_MS) {
        forgotAt = Date.now();
        const forgotten = await forgetOldPayloads(deps.sql);
        if (forgotten) deps.log.info({ forgotten }, `forgot source payloads older than ${KEEP_DAYS} days`);
      }
    },
    (err) => deps.log.warn({ err }, 'sweeping source payloads failed'),
  );
}
