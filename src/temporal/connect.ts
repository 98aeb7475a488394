// Connections to Temporal: a client connection for the API, a native connection for the worker.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import type { Logger } from '../log.js';

export async function connectClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace });
}

export async function connectWorker(address: string): Promise<NativeConnection> {
  return NativeConnection.connect({ address });
}

let runtimeInstalled = false;

/** Routes the Temporal SDK's own logs into pino, once per process. */
export function installTemporalLogging(log: Logger): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  // The SDK reports every worker state change at INFO; keep it at WARN unless debugging.
  const sdk = log.child(
    { component: 'temporal' },
    { level: log.isLevelEnabled('debug') ? log.level : 'warn' },
  );
  Runtime.install({
    logger: {
      log: (level, message, meta) => sdk[level.toLowerCase() as 'info'](meta ?? {}, message),
      trace: (message, meta) => sdk.trace(meta ?? {}, message),
      debug: (message, meta) => sdk.debug(meta ?? {}, message),
      info: (message, meta) => sdk.info(meta ?? {}, message),
      warn: (message, meta) => sdk.warn(meta ?? {}, message),
      error: (message, meta) => sdk.error(meta ?? {}, message),
    },
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
  });
}
