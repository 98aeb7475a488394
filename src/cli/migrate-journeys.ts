// `rapport playbooks migrate <id> --to <version> [--dry-run]`: moves running journeys to another published
// version. Journeys are matched by the step they wait at (same name, same kind of step); if any cannot
// be matched, the plan is printed and nothing changes. Each journey moves inside its own workflow (an
// update), so a journey busy carrying out a step is retried until it rests.
import type { Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import pLimit from 'p-limit';
import pRetry from 'p-retry';
import type { Db } from '../db/client.js';
import { journeysToMigrate } from '../db/journeys.js';
import { playbookVersion } from '../db/playbook-versions.js';
import { stepsByName } from '../interpreter/index.js';
import { Failure, migrateJourneyUpdate } from '../../workflows/contract.js';
import { UsageError } from './pipelines.js';

export interface MigrationPlanLine {
  from: number;
  step: string;
  journeys: number;
  /** Why journeys at this step cannot move; undefined when they can. */
  refused?: string;
}

export interface MigrationOutcome {
  plan: MigrationPlanLine[];
  migrated: number;
  /** Journeys that ended before their turn came. */
  ended: number;
  failed: { id: string; reason: string }[];
}

const ATTEMPTS = 10;
const CONCURRENCY = 8;

export async function migrateJourneys(
  db: Db,
  temporal: Client,
  options: { playbook: string; to: number; dryRun: boolean; retryDelayMs?: number },
): Promise<MigrationOutcome> {
  const target = await playbookVersion(db, options.playbook, options.to);
  if (!target.definition) {
    throw new UsageError(
      target.versions.length
        ? `${options.playbook} has no version ${options.to}; published: ${target.versions.join(', ')}`
        : `${options.playbook} is not published; run \`rapport playbooks publish\` first`,
    );
  }
  const to = target.definition;
  const journeys = await journeysToMigrate(db, options.playbook, options.to);
  const sources = new Map<number, Map<string, string>>();
  for (const version of new Set(journeys.map((j) => j.playbook_version))) {
    const { definition } = await playbookVersion(db, options.playbook, version);
    sources.set(version, definition ? stepsByName(definition) : new Map<string, string>());
  }
  const targetSteps = stepsByName(to);
  const plan = new Map<string, MigrationPlanLine>();
  for (const j of journeys) {
    const step = j.current_step ?? '(starting)';
    const key = `${j.playbook_version}\n${step}`;
    const line = plan.get(key) ?? { from: j.playbook_version, step, journeys: 0 };
    line.journeys += 1;
    const verb = sources.get(j.playbook_version)?.get(step);
    const now = targetSteps.get(step);
    if (!now) line.refused = `version ${options.to} has no step ${step}`;
    else if (verb && verb !== now)
      line.refused = `${step} is a ${verb} in version ${j.playbook_version} but a ${now} in version ${options.to}`;
    plan.set(key, line);
  }
  const lines = [...plan.values()];
  const outcome: MigrationOutcome = { plan: lines, migrated: 0, ended: 0, failed: [] };
  if (options.dryRun || lines.some((l) => l.refused)) return outcome;

  const delay = options.retryDelayMs ?? 1000;
  const move = (j: (typeof journeys)[number]) =>
    temporal.workflow
      .getHandle(j.workflow_id)
      .executeUpdate(migrateJourneyUpdate, { args: [{ journeyId: j.id, definition: to }] });
  const one = async (j: (typeof journeys)[number]) => {
    try {
      // A journey carrying out a step moves once it rests.
      await pRetry(() => move(j), {
        retries: ATTEMPTS - 1,
        minTimeout: delay,
        factor: 1,
        shouldRetry: ({ error }) => failureType(error) === Failure.Busy,
      });
      outcome.migrated += 1;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError || failureType(error) === Failure.Ended) {
        outcome.ended += 1;
        return;
      }
      const reason =
        error instanceof WorkflowUpdateFailedError ? (error.cause?.message ?? error.message) : String(error);
      outcome.failed.push({ id: j.id, reason });
    }
  };
  await pLimit(CONCURRENCY).map(journeys, one);
  return outcome;
}

export function describeMigration(
  outcome: MigrationOutcome,
  options: { playbook: string; to: number; dryRun: boolean },
): string[] {
  const out = outcome.plan.map(
    (l) =>
      `v${l.from} at ${l.step}: ${l.journeys} journey${l.journeys === 1 ? '' : 's'} ${l.refused ? `cannot move: ${l.refused}` : `→ v${options.to} ${l.step}`}`,
  );
  const total = outcome.plan.reduce((n, l) => n + l.journeys, 0);
  if (!total) return [`no running journeys of ${options.playbook} to move to v${options.to}`];
  if (outcome.plan.some((l) => l.refused))
    return [...out, 'nothing changed: give the new version these steps, or let these journeys end first'];
  if (options.dryRun)
    return [...out, `would move ${total} journey${total === 1 ? '' : 's'} to v${options.to}`];
  return [
    ...out,
    `moved ${outcome.migrated}, ended meanwhile ${outcome.ended}, failed ${outcome.failed.length}`,
    ...outcome.failed.map((f) => `  ${f.id}: ${f.reason}`),
  ];
}

/** The shared failure type of an update the workflow refused, if that is what failed. */
function failureType(error: unknown): string | undefined {
  return error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure
    ? (error.cause.type ?? undefined)
    : undefined;
}
