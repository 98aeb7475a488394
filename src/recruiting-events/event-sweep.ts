// The recruiting-event sweep of the API process: once a minute it records answers and outcomes a crash
// left without their event (`candidate.rsvp`, `event.attended` / `event.no_show`), and closes the events
// that ended more than a day ago (attendance decided).
import type { IntakeDeps } from '../intake/accept.js';
import { eventsWithUnrecorded, getRecruitingEvent } from '../db/recruiting-events.js';
import { periodically } from '../runtime/periodically.js';
import { closeEndedEvents, recordOutcomes, recordRsvps } from './recruiting-events.js';

const SWEEP_MS = 60_000;

export async function sweepRecruitingEvents(deps: IntakeDeps, now = new Date()) {
  const unrecorded = await eventsWithUnrecorded(deps.sql, new Date(now.getTime() - SWEEP_MS));
  for (const id of unrecorded) {
    const event = await getRecruitingEvent(deps.sql, id);
    if (!event) continue;
    await recordRsvps(deps, event);
    await recordOutcomes(deps, event);
  }
  return { recorded: unrecorded.length, closed: await closeEndedEvents(deps, now) };
}

export function startRecruitingEventSweep(deps: IntakeDeps): { stop(): Promise<void> } {
  return periodically(
    SWEEP_MS,
    async () => {
      const done = await sweepRecruitingEvents(deps);
      if (done.recorded || done.closed) deps.log.info(done, 'recruiting events swept');
    },
    (err) => deps.log.warn({ err }, 'sweeping recruiting events failed'),
  );
}
