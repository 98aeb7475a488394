// Counts failed activity attempts by activity and failure type in PostgreSQL, where /metrics reads them
// (rapport_activity_failures_total). A retried attempt that fails counts once per attempt; a failure of
// the counter itself never hides the activity's own error.
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { countActivityFailure } from '../db/activity-failures.js';
import type { Db } from '../db/client.js';

export function failureKind(error: unknown): string {
  if (error instanceof CancelledFailure) return 'cancelled';
  if (error instanceof ApplicationFailure) return error.type ?? 'ApplicationFailure';
  return error instanceof Error ? error.name : 'unknown';
}

export function countActivityFailures(sql: Db): ActivityInterceptorsFactory {
  return () => ({
    inbound: {
      async execute(input, next) {
        try {
          return await next(input);
        } catch (error) {
          const activity = Context.current().info.activityType;
          const kind = failureKind(error).slice(0, 100);
          await countActivityFailure(sql, activity, kind).catch(() => {});
          throw error;
        }
      },
    },
  });
}
