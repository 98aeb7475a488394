// /healthz: the process is up. /readyz: PostgreSQL and Temporal answer. The probes are public, so they
// say only `ok` or `unavailable` per dependency; why one is unavailable goes to the log.
import { ping } from '../db/client.js';
import { operation } from './operation.js';

const PROBE = { public: 'a probe for load balancers and orchestrators' };

export const healthOperations = [
  operation({
    method: 'get',
    path: '/healthz',
    summary: 'The process is up',
    access: PROBE,
    standalone: true,
    answers: { 200: { description: 'Up' } },
    handle: (c) => c.json({ status: 'ok' }),
  }),
  operation({
    method: 'get',
    path: '/readyz',
    summary: 'PostgreSQL and Temporal answer',
    access: PROBE,
    answers: {
      200: { description: 'Ready' },
      503: { description: 'A dependency does not answer; it is named (`unavailable`), the reason is logged' },
    },
    async handle(c, _request, deps) {
      const check = async (dependency: string, probe: () => Promise<unknown>): Promise<Check> => {
        try {
          await withTimeout(probe(), 2000);
          return 'ok';
        } catch (error) {
          deps.log.warn({ err: error, dependency }, 'readiness check failed');
          return 'unavailable';
        }
      };
      const [postgres, temporal] = await Promise.all([
        check('postgres', () => ping(deps.sql)),
        check('temporal', () => deps.temporal.connection.workflowService.getSystemInfo({})),
      ]);
      const ready = postgres === 'ok' && temporal === 'ok';
      return c.json(
        { status: ready ? 'ready' : 'not ready', checks: { postgres, temporal } },
        ready ? 200 : 503,
      );
    },
  }),
];

/** What /readyz says of a dependency: nothing of its error (host names, addresses, versions). */
type Check = 'ok' | 'unavailable';

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
