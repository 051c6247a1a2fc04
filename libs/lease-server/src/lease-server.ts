import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { LeaseApiHandler } from './lease-api-handler.js';
import { checkActivatedFd, ListenError, parseListenAddress } from './listen-address.js';
import type { ServedNetworks } from './served-networks.js';
import { serverTlsOptions, type ServerTlsFiles } from './tls-files.js';

export interface LeaseServerOptions {
  /** `--listen`: `[tcp://]host:port`, `fd://` or `fd://N`. */
  readonly listen: string;
  readonly tls: ServerTlsFiles;
  readonly networks: ServedNetworks;
  readonly ttlSeconds: number;
  readonly log: Logger;
  /** Changes kept per network for readers that are behind (default 1,000). */
  readonly historyLimit?: number;
  /** Where LISTEN_FDS / LISTEN_PID are read (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
}

export interface LeaseServer {
  /** `host:port` for TCP, `fd://N` for a passed socket. */
  readonly address: string;
  /** Readers waiting on watches (for tests and the benchmark). */
  readonly waiting: number;
  close(): Promise<void>;
}

/**
 * flanneld's server mode: the lease API over HTTP, or HTTPS when a certificate is given (client
 * certificates required with a CA). Resolves once it listens; rejects with one line naming the
 * address when it cannot.
 */
export async function startLeaseServer(o: LeaseServerOptions): Promise<LeaseServer> {
  const fail = (err: unknown): never => {
    throw new ListenError(`Error listening on ${o.listen}: ${(err as Error).message}`, { cause: err });
  };
  let server: Server;
  let target: { fd: number } | { host?: string; port: number };
  try {
    const where = parseListenAddress(o.listen);
    if (where.kind === 'fd') checkActivatedFd(where.fd, o.env ?? process.env, process.pid);
    target = where.kind === 'fd' ? { fd: where.fd } : where.host ? { host: where.host, port: where.port } : { port: where.port };
    const tls = await serverTlsOptions(o.tls);
    server = tls ? createHttpsServer(tls) : createHttpServer();
  } catch (err) {
    return fail(err);
  }
  const api = new LeaseApiHandler({ networks: o.networks, ttlSeconds: o.ttlSeconds, log: o.log, historyLimit: o.historyLimit });
  server.on('request', (req, res) => void api.handle(req, res));
  // A failed TLS handshake (no or a wrong client certificate) is the client's problem: one line.
  server.on('tlsClientError', (err: Error) => o.log.warn(`TLS handshake with a client failed: ${err.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(target, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    if ('fd' in target) fail(new Error(`fd ${target.fd} was not socket activated`, { cause: err }));
    fail(err);
  });
  server.on('error', (err) => o.log.error(`Error serving on ${o.listen}: ${err.message}`));
  const bound = server.address();
  const address =
    'fd' in target ? `fd://${target.fd}` : typeof bound === 'object' && bound ? hostPort(bound) : String(bound);
  o.log.info(`Serving the lease API on ${address}${o.tls.certFile ? ' (TLS)' : ''}`);
  return {
    address,
    get waiting() {
      return api.waiting;
    },
    close: async () => {
      api.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function hostPort(a: AddressInfo): string {
  return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}
