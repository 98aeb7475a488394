// Free TCP ports on the loopback interface, for servers started by tests. They are drawn at random from
// below the kernel's ephemeral range (net.ipv4.ip_local_port_range, 32768–60999 by default): a port from
// that range, once released, can be handed to any outgoing connection as its source port before the
// server that was meant to bind it starts ("address already in use"). A port is checked by binding it,
// and never handed out twice by one process.
import net from 'node:net';

const LOWEST = 20_000;
const HIGHEST = 32_767;
const handedOut = new Set<number>();

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1));
    if (handedOut.has(port) || !(await bindable(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port between ${LOWEST} and ${HIGHEST} on 127.0.0.1`);
}
