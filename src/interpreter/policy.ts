// The contact policy (pipelines/policy.yaml): one set of rules over every playbook and campaign a
// candidate is in — priority classes, a contact budget, holds while another journey runs, quiet periods.
// Pure: a send is decided from the policy, the send and the candidate's ledger (what was sent, what is
// on its way, which journeys run, which sends wait for the budget). The workflow and the simulator build
// the ledger alike from their journeys' states, so they decide the same.
import { nextSlotUnderCap } from './cap.js';
import { addDuration, parseDuration } from './duration.js';
import { epochOf, instantOf } from './instant.js';
import type { JourneyState, PlaybookDefinition } from './types.js';
import { offsetMinutes, wallToEpoch } from './window.js';

export interface ContactClass {
  class: string;
  stages?: PlaybookDefinition['stage'][];
  playbooks?: string[];
  /** Not limited by the budget; its messages count against it all the same. */
  exempt?: boolean;
  /** How long a send may be held before it is dropped; without it, held as long as the rule holds. */
  max_hold?: string;
}

export interface ContactPolicy {
  /** Highest priority first. */
  classes: ContactClass[];
  budget?: { messages: number; per: string };
  holds?: { name: string; hold: string[]; while: string[] }[];
  /** Dates as MM-DD (every year) or YYYY-MM-DD (once), in the candidate's time zone; `to` included. */
  quiet?: { name: string; from: string; to: string; classes?: string[] }[];
}

/** A running journey, as the policy sees it. */
export interface LedgerJourney {
  id: string;
  class: string;
  /** Its send is held by the budget (or behind a higher class waiting for it). */
  waitsForBudget: boolean;
}

/** What the policy reads about the candidate when it decides a send. */
export interface ContactLedger {
  /** When messages were sent to the candidate, by any journey. */
  sentAt: readonly string[];
  /** Sends to the candidate granted and not yet settled: they count as sent now. */
  inFlight: number;
  journeys: readonly LedgerJourney[];
}

export type PolicyReason = 'hold' | 'quiet' | 'priority' | 'budget';

export type ContactVerdict =
  | { go: true; class: string }
  | { go: false; class: string; rule: string; reason: PolicyReason; until: string; drop: boolean };

export interface ContactAsk {
  journey: string;
  class: string;
  at: string;
  /** The candidate's time zone, for quiet periods. */
  zone: string;
  /** When this send was first held, for `max_hold`. */
  heldSince?: string | undefined;
}

/** How long a send held by another journey sleeps before it looks again, when no journey ends sooner. */
const RECHECK_MS = 86_400_000;
const DAY = 86_400_000;

/** The class of a journey: the campaign's, else the first naming its playbook, else its stage, else the last. */
export function classOf(policy: ContactPolicy, definition: PlaybookDefinition, override?: string): string {
  if (override && policy.classes.some((c) => c.class === override)) return override;
  const named = policy.classes.find((c) => c.playbooks?.includes(definition.playbook));
  const staged = named ?? policy.classes.find((c) => c.stages?.includes(definition.stage));
  return (staged ?? policy.classes[policy.classes.length - 1]!).class;
}

/** The ledger from the candidate's journeys as they are now and the messages sent so far. */
export function ledgerOf(
  policy: ContactPolicy,
  journeys: Iterable<JourneyState>,
  sentAt: readonly string[],
): ContactLedger {
  let inFlight = 0;
  const running: LedgerJourney[] = [];
  for (const j of journeys) {
    if (
      j.status === 'completed' ||
      j.status === 'exited' ||
      j.status === 'cancelled' ||
      j.status === 'failed'
    )
      continue;
    const a = j.awaiting;
    if (a?.kind === 'effect' && a.contact) inFlight += 1;
    running.push({
      id: j.id,
      class: classOf(policy, j.definition, j.contactClass),
      waitsForBudget:
        a?.kind === 'timer' &&
        a.reason === 'policy' &&
        (j.held?.reason === 'budget' || j.held?.reason === 'priority'),
    });
  }
  return { sentAt, inFlight, journeys: running };
}

/** Decides one send to the candidate: it goes, or it is held until a time (or dropped) by a named rule. */
export function decideContact(policy: ContactPolicy, ask: ContactAsk, ledger: ContactLedger): ContactVerdict {
  const rank = policy.classes.findIndex((c) => c.class === ask.class);
  const klass = policy.classes[rank];
  const blocked = firstBlock(policy, ask, ledger, rank, klass);
  if (!blocked) return { go: true, class: ask.class };
  let { until } = blocked;
  let drop = false;
  const maxHold = klass?.max_hold === undefined ? undefined : parseDuration(klass.max_hold);
  if (maxHold) {
    const deadline = addDuration(ask.heldSince ?? ask.at, maxHold);
    if (epochOf(deadline) <= epochOf(ask.at)) drop = true;
    else if (deadline < until) until = deadline;
  }
  return { go: false, class: ask.class, ...blocked, until, drop };
}

type Block = { rule: string; reason: PolicyReason; until: string };

function firstBlock(
  policy: ContactPolicy,
  ask: ContactAsk,
  ledger: ContactLedger,
  rank: number,
  klass: ContactClass | undefined,
): Block | undefined {
  const now = epochOf(ask.at);
  for (const rule of policy.holds ?? []) {
    if (!rule.hold.includes(ask.class)) continue;
    if (ledger.journeys.some((j) => j.id !== ask.journey && rule.while.includes(j.class)))
      return { rule: rule.name, reason: 'hold', until: instantOf(now + RECHECK_MS) };
  }
  for (const period of policy.quiet ?? []) {
    if (period.classes && !period.classes.includes(ask.class)) continue;
    const end = quietEnd(period, now, ask.zone);
    if (end !== undefined) return { rule: period.name, reason: 'quiet', until: instantOf(end) };
  }
  const budget = policy.budget;
  if (!budget || klass?.exempt) return undefined;
  const counted = [...ledger.sentAt, ...Array.from({ length: ledger.inFlight }, () => ask.at)];
  const ahead = ledger.journeys.some((j) => {
    if (j.id === ask.journey || !j.waitsForBudget) return false;
    const theirs = policy.classes.findIndex((c) => c.class === j.class);
    return theirs >= 0 && theirs < rank;
  });
  if (ahead) {
    // A higher class waits for the budget: it takes the next slot, this send the one after (when the
    // budget has room for both, both go).
    const after = nextSlotUnderCap(ask.at, budget, [...counted, ask.at]);
    if (after > ask.at) return { rule: 'priority', reason: 'priority', until: after };
  }
  const slot = nextSlotUnderCap(ask.at, budget, counted);
  if (slot > ask.at) return { rule: 'budget', reason: 'budget', until: slot };
  return undefined;
}

/** When the quiet period that `now` falls in ends (local midnight after its last day), if it does. */
function quietEnd(period: { from: string; to: string }, now: number, zone: string): number | undefined {
  const local = new Date(now + offsetMinutes(zone, now) * 60_000);
  const year = local.getUTCFullYear();
  const day = local.toISOString().slice(0, 10);
  const monthDay = day.slice(5);
  const endOf = (date: string) => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    return wallToEpoch(Date.UTC(y, m - 1, d) + DAY, zone);
  };
  if (period.from.length === 10) {
    return day >= period.from && day <= period.to ? endOf(period.to) : undefined;
  }
  if (period.from <= period.to) {
    return monthDay >= period.from && monthDay <= period.to ? endOf(`${year}-${period.to}`) : undefined;
  }
  // Across the new year: from December into January.
  if (monthDay >= period.from) return endOf(`${year + 1}-${period.to}`);
  if (monthDay <= period.to) return endOf(`${year}-${period.to}`);
  return undefined;
}
