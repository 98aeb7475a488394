// The API's HTTP server (node:http through @hono/node-server), as `rapport api` and the benchmark run it.
// Idle keep-alive connections stay open longer than clients and proxies keep theirs (commonly 60 s):
// with node's 5-second default, a client reusing a connection just as the server closes it gets
// "socket hang up" for a request the server never saw.
import type { Server } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';

export const KEEP_ALIVE_MS = 65_000;
/**
 * Request headers (the URL with them) may be this large; node's 16 KiB would answer 431 to the longest
 * link token a path may carry once percent-encoded, before the API could say it is no valid link (404).
 */
export const MAX_HEADER_BYTES = 64 * 1024;

export function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  port: number,
  hostname: string,
): Promise<ServerType> {
  return new Promise<ServerType>((resolve, reject) => {
    const server = serve({ fetch, port, hostname, serverOptions: { maxHeaderSize: MAX_HEADER_BYTES } }, () =>
      resolve(server),
    );
    const http = server as Server;
    http.keepAliveTimeout = KEEP_ALIVE_MS;
    // Headers of a request on a kept-alive connection may take as long to arrive as the idle time.
    http.headersTimeout = KEEP_ALIVE_MS + 1000;
    server.once('error', reject);
  });
}
