import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

/** Whether the daemon does its job, and why not. */
export interface ReadyState {
  readonly ready: boolean;
  readonly reason?: string;
}

/** What the endpoints answer, asked at each request. */
export interface HealthSource {
  ready(): ReadyState;
  /** The Prometheus text exposition. */
  metrics(): Promise<{ readonly contentType: string; readonly body: string }>;
  /** The JSON of `GET /status`. */
  status(): unknown;
}

export interface HealthServerOptions {
  readonly host: string;
  readonly port: number;
  readonly source: HealthSource;
  readonly log: Logger;
}

export interface HealthServer {
  /** The port it listens on (the one asked for, or the one picked for port 0). */
  readonly port: number;
  /** Stops accepting, lets running requests finish for `graceMs`, then drops the connections. */
  close(graceMs: number): Promise<void>;
}

/** The body of `/healthz`, as Go flanneld answers. */
export const HEALTHZ_BODY = 'flanneld is running';

/** Listens on host:port; rejects with one line naming the address when that fails (port taken...). */
export async function startHealthServer(o: HealthServerOptions): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    answer(o.source, req.url ?? '/', req.method ?? 'GET', res).catch((err: Error) => {
      o.log.warn(`health endpoint ${req.url}: ${err.message}`);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `${err.message}\n`);
      else res.destroy();
    });
  });
  // An idle scraper's keep-alive connection must not hold the daemon's exit.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`health endpoint: cannot listen on ${o.host}:${o.port}`, { cause: err })));
    server.listen(o.port, o.host, () => resolve());
  });
  server.on('error', (err) => o.log.warn(`health endpoint: ${err.message}`));
  const port = (server.address() as AddressInfo).port;
  o.log.info(`Health endpoint listening on ${o.host}:${port}`);
  return {
    port,
    close: (graceMs) => closeWithGrace(server, graceMs),
  };
}

async function answer(source: HealthSource, url: string, method: string, res: http.ServerResponse): Promise<void> {
  const path = url.split('?', 1)[0];
  // /healthz answers any method (as Go flanneld); the others are read-only.
  if (path === '/healthz') return send(res, 200, 'text/plain; charset=utf-8', HEALTHZ_BODY);
  if (method !== 'GET' && method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', `${method} not allowed\n`);
  switch (path) {
    case '/readyz': {
      const state = source.ready();
      return state.ready
        ? send(res, 200, 'text/plain; charset=utf-8', 'ok\n')
        : send(res, 503, 'text/plain; charset=utf-8', `${state.reason ?? 'not ready'}\n`);
    }
    case '/metrics': {
      const { contentType, body } = await source.metrics();
      return send(res, 200, contentType, body);
    }
    case '/status':
      return send(res, 200, 'application/json', `${JSON.stringify(source.status())}\n`);
    default:
      return send(res, 404, 'text/plain; charset=utf-8', `no such endpoint: ${path}\n`);
  }
}

function send(res: http.ServerResponse, code: number, contentType: string, body: string): void {
  res.writeHead(code, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function closeWithGrace(server: http.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
