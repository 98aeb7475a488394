// Activities, built by a factory with their dependencies injected. Workflows reach them only through
// `proxyActivities<Activities>()` with a type import.
import type { Sql } from '../db/client.js';
import { recordInteraction } from '../db/interactions.js';
import { upsertJourney, type JourneyMirror } from '../db/journeys.js';
import type { PlaybookDefinition } from '../interpreter/index.js';
import type { Mailer } from '../mail/mailer.js';
import type { TemplateEngine } from '../templates/engine.js';
import { send, type SendInput } from './send.js';

export interface ActivityDeps {
  sql: Sql;
  templates: TemplateEngine;
  mailer: Mailer | undefined;
  /** The playbooks new enrollments use, keyed by id. */
  playbooks: () => ReadonlyMap<string, PlaybookDefinition>;
  mailFrom: string;
  orgName: string;
}

export function createActivities(deps: ActivityDeps) {
  return {
    /** The playbooks an event of this type enrolls a candidate into, pinned as they are now. */
    enrollments(input: { eventType: string }): Promise<PlaybookDefinition[]> {
      return Promise.resolve(
        [...deps.playbooks().values()].filter(
          (p) => (p.for ?? 'candidate') === 'candidate' && p.enroll.on.includes(input.eventType),
        ),
      );
    },

    send: (input: SendInput) => send(deps, input),

    /** Keeps the journeys table in step with the workflow, and records starts and ends on the timeline. */
    async syncJourney(input: { journey: JourneyMirror; transition?: 'started' | 'ended' }): Promise<void> {
      const j = input.journey;
      await deps.sql.begin(async (tx) => {
        await upsertJourney(tx, j);
        if (input.transition) {
          await recordInteraction(tx, {
            candidateId: j.candidateId,
            kind: `journey.${input.transition}`,
            summary:
              input.transition === 'started'
                ? `Enrolled in ${j.playbook} v${j.version}`
                : `Left ${j.playbook} (${j.exitReason ?? j.status})`,
            journeyId: j.id,
            data: { playbook: j.playbook, version: j.version, status: j.status, reason: j.exitReason },
          });
        }
      });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
