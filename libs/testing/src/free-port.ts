import { createServer } from 'node:net';

/**
 * Asks the kernel for a currently free TCP port on `host` (bind port 0, read it, close).
 * Another process may grab it before the caller binds it, so callers retry on EADDRINUSE.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error) => reject(new Error(`finding a free port on ${host}`, { cause: error })));
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => {
        if (port === undefined) reject(new Error(`finding a free port on ${host}: no port assigned`));
        else resolve(port);
      });
    });
  });
}

/** Distinct free ports (a port freed by the first probe could otherwise come back twice). */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(host));
  return [...ports];
}
