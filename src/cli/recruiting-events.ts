// `rapport recruiting-events create|list|status|check-in|close`: the same functions as the API's, against
// DATABASE_URL and TEMPORAL_ADDRESS. Invitations go out by campaign (`rapport campaigns launch --event`).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Sql } from '../db/client.js';
import { listRecruitingEvents, type EventKind } from '../db/recruiting-events.js';
import { isUuid } from '../domain.js';
import { csvCandidates } from '../http/member-csv.js';
import { createEventDelivery } from '../intake/event-delivery.js';
import {
  closeEvent,
  createEvent,
  eventNumbers,
  eventView,
  recordCheckIn,
  type EventView,
} from '../recruiting-events/recruiting-events.js';
import { asUsageError, UsageError } from './pipelines.js';

const USAGE = `usage:
  rapport recruiting-events create --name <name> --title <title> --starts <iso> --timezone <zone>
                                   (--location <place> | --url <url>) [--ends <iso>] [--capacity <n>]
                                   [--kind meetup|webinar|career_fair|other]
  rapport recruiting-events list
  rapport recruiting-events status <name|id>
  rapport recruiting-events check-in <name|id> (--csv <file> | <email|id> ...)
  rapport recruiting-events close <name|id>`;

export interface RecruitingEventCliDeps {
  sql: Sql;
  temporal: Client;
  taskQueue: string;
  log: Logger;
}

export async function recruitingEventsCommand(
  args: string[],
  deps: RecruitingEventCliDeps,
  line: (text: string) => void,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      title: { type: 'string' },
      kind: { type: 'string' },
      starts: { type: 'string' },
      ends: { type: 'string' },
      timezone: { type: 'string' },
      location: { type: 'string' },
      url: { type: 'string' },
      capacity: { type: 'string' },
      csv: { type: 'string' },
    },
  });
  const [verb, id, ...rest] = positionals;
  try {
    switch (verb) {
      case 'create': {
        if (!values.name || !values.title || !values.starts || !values.timezone) throw new UsageError(USAGE);
        const view = await createEvent(deps.sql, {
          name: values.name,
          title: values.title,
          starts_at: values.starts,
          timezone: values.timezone,
          ...(values.kind ? { kind: values.kind as EventKind } : {}),
          ...(values.ends ? { ends_at: values.ends } : {}),
          ...(values.location ? { location: values.location } : {}),
          ...(values.url ? { url: values.url } : {}),
          ...(values.capacity === undefined ? {} : { capacity: Number(values.capacity) }),
        });
        line(`created recruiting event ${view.name} (${view.id})`);
        describe(view, line);
        return 0;
      }
      case 'list': {
        const rows = await listRecruitingEvents(deps.sql, { limit: 100 });
        if (!rows.length) line('no recruiting events');
        for (const row of rows.slice(0, 100)) {
          const n = await eventNumbers(deps.sql, row);
          line(
            `${row.name}  ${row.starts_at.toISOString()}  ${row.status}  ` +
              `${n.going}/${row.capacity ?? '∞'} going, ${n.waitlisted} waitlisted, ${n.attended} attended`,
          );
        }
        return 0;
      }
      case 'status': {
        describe(await named(deps, id), line);
        return 0;
      }
      case 'check-in': {
        const event = await named(deps, id);
        const who = values.csv
          ? csvCandidates(await readCsv(values.csv))
          : {
              candidateIds: rest.filter(isUuid),
              emails: rest.filter((r) => !isUuid(r)),
              unknownLines: (unknown: string[]) => unknown,
            };
        if (!values.csv && !rest.length) throw new UsageError(USAGE);
        const done = await recordCheckIn(deps.sql, event.id, who);
        line(`checked in ${done.checked_in} (${done.walk_ins} walk-ins), ${done.already} already`);
        for (const unknown of who.unknownLines(done.unknown)) line(`  names nobody: ${unknown}`);
        return 0;
      }
      case 'close': {
        const event = await named(deps, id);
        const delivery = createEventDelivery({ ...deps });
        try {
          describe(await closeEvent({ ...deps, delivery }, event.id), line);
        } finally {
          // What the queue has not delivered by then, the API's sweep delivers.
          await delivery.stop(30_000);
        }
        return 0;
      }
      default:
        throw new UsageError(USAGE);
    }
  } catch (error) {
    asUsageError(error, { '/starts_at': '--starts', '/ends_at': '--ends' });
  }
}

async function named(deps: RecruitingEventCliDeps, id: string | undefined): Promise<EventView> {
  if (!id) throw new UsageError(USAGE);
  const view = await eventView(deps.sql, id);
  if (!view) throw new UsageError(`no recruiting event ${id} (rapport recruiting-events list shows them)`);
  return view;
}

async function readCsv(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`--csv ${file}: cannot read the file`);
  }
}

function describe(view: EventView, line: (text: string) => void): void {
  const n = view.numbers;
  line(`${view.title} (${view.name}, ${view.kind}): ${view.status}`);
  line(`  ${view.starts_at} – ${view.ends_at} (${view.timezone}), ${view.location ?? view.url}`);
  line(
    `  seats ${view.capacity ?? 'unlimited'}: ${n.going} going, ${n.waitlisted} waitlisted` +
      (n.seats_left === null ? '' : `, ${n.seats_left} left`),
  );
  line(`  invited ${n.invited} by ${n.campaigns} campaign(s); sent ${n.sent}, clicked ${n.clicked}`);
  line(`  answers: ${n.rsvps.yes} yes, ${n.rsvps.no} no, ${n.rsvps.maybe} maybe`);
  line(`  checked in ${n.checked_in}, attended ${n.attended}, no-shows ${n.no_show}, hired since ${n.hired}`);
}
