// `rapport campaigns launch|status|pause|resume|cancel`: the same functions as the API's, against
// DATABASE_URL and TEMPORAL_ADDRESS. launch and status follow the campaign with a progress bar until it
// ends (Ctrl-C stops following, not the campaign); --no-follow prints it once.
import { parseArgs } from 'node:util';
import {
  campaignView,
  controlCampaign,
  launchCampaign,
  type CampaignDeps,
  type CampaignView,
} from '../campaigns/campaigns.js';
import { asUsageError, UsageError } from './pipelines.js';
import { isUuid } from '../domain.js';

const USAGE = `usage:
  rapport campaigns launch --name <name> --playbook <id> --pool <name|id> [--rate <per minute>]
                           [--start <iso>] [--class <contact class>] [--event <recruiting event>]
                           [--no-follow]
  rapport campaigns status <id> [--no-follow]
  rapport campaigns pause|resume|cancel <id>`;

export interface Output {
  line(text: string): void;
  /** Rewrites the current line (a terminal), or is undefined (progress goes out as lines, now and then). */
  redraw?: ((text: string) => void) | undefined;
}

export async function campaignsCommand(
  args: string[],
  deps: CampaignDeps,
  out: Output,
  options: { pollMs?: number } = {},
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      playbook: { type: 'string' },
      pool: { type: 'string' },
      rate: { type: 'string' },
      start: { type: 'string' },
      class: { type: 'string' },
      event: { type: 'string' },
      'no-follow': { type: 'boolean' },
    },
  });
  const [verb, id] = positionals;
  const follow = !values['no-follow'];
  if (id !== undefined && !isUuid(id))
    throw new UsageError(`no campaign ${id}: a campaign's id is a UUID (rapport campaigns launch prints it)`);
  try {
    switch (verb) {
      case 'launch': {
        if (!values.name || !values.playbook || !values.pool) throw new UsageError(USAGE);
        const rate = values.rate === undefined ? undefined : Number(values.rate);
        const view = await launchCampaign(deps, {
          name: values.name,
          playbook: values.playbook,
          pool: values.pool,
          ...(rate === undefined ? {} : { rate_per_minute: rate }),
          ...(values.start ? { start_at: values.start } : {}),
          ...(values.class ? { contact_class: values.class } : {}),
          ...(values.event ? { recruiting_event: values.event } : {}),
        });
        out.line(`launched campaign ${view.id} (${view.workflow_id})`);
        return follow ? await followCampaign(deps, view.id, out, options.pollMs) : (describe(view, out), 0);
      }
      case 'status': {
        if (!id) throw new UsageError(USAGE);
        const view = await campaignView(deps.sql, id);
        if (!view) throw new UsageError(`no campaign ${id}`);
        return follow ? await followCampaign(deps, id, out, options.pollMs) : (describe(view, out), 0);
      }
      case 'pause':
      case 'resume':
      case 'cancel': {
        if (!id) throw new UsageError(USAGE);
        describe(await controlCampaign(deps, id, verb), out);
        return 0;
      }
      default:
        throw new UsageError(USAGE);
    }
  } catch (error) {
    asUsageError(error, {
      '/rate_per_minute': '--rate',
      '/start_at': '--start',
      '/contact_class': '--class',
      '/recruiting_event': '--event',
    });
  }
}

/** Prints the campaign's progress until it completes or is cancelled. */
async function followCampaign(deps: CampaignDeps, id: string, out: Output, pollMs = 1000): Promise<number> {
  let last = 0;
  for (;;) {
    const view = await campaignView(deps.sql, id);
    if (!view) throw new UsageError(`no campaign ${id}`);
    const ended = view.status === 'completed' || view.status === 'cancelled';
    if (out.redraw) out.redraw(progressLine(view));
    else if (ended || Date.now() - last >= 5000) {
      out.line(progressLine(view));
      last = Date.now();
    }
    if (ended) {
      if (out.redraw) out.line('');
      describe(view, out);
      return 0;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

const WIDTH = 30;

/** `[#########---------] 1,200/5,000 decided · 1,150 enrolled · 50 skipped · running` */
export function progressLine(view: CampaignView): string {
  const n = view.numbers;
  const decided = n.total - n.queued;
  const filled = n.total ? Math.round((decided / n.total) * WIDTH) : view.status === 'completed' ? WIDTH : 0;
  const fmt = (x: number) => x.toLocaleString('en-US');
  return (
    `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${fmt(decided)}/${fmt(n.total)} ` +
    `· ${fmt(n.requested + n.enrolled)} enrolled · ${fmt(n.skipped)} skipped · ${view.status}`
  );
}

function describe(view: CampaignView, out: Output): void {
  const n = view.numbers;
  out.line(`${view.name} (${view.id}): ${view.status}`);
  out.line(
    `  playbook ${view.playbook}, pool ${view.pool}, ${view.rate_per_minute ? `${view.rate_per_minute}/min` : 'no rate limit'}`,
  );
  out.line(
    `  members ${n.total}: ${n.enrolled} enrolled, ${n.requested} requested, ${n.skipped} skipped, ${n.queued} queued`,
  );
  for (const [reason, count] of Object.entries(n.skipped_by_reason).sort())
    out.line(`    skipped ${reason}: ${count}`);
  out.line(`  sent ${n.sent}, clicked ${n.clicked}, replied ${n.replied}, converted ${n.converted}`);
  const e = n.recruiting_event;
  if (e)
    out.line(
      `  answers ${e.rsvps.yes} yes, ${e.rsvps.no} no, ${e.rsvps.maybe} maybe; ` +
        `attended ${e.attended}, no-shows ${e.no_show}`,
    );
}
