import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { Logger } from 'pino';
import { ExitError } from '@flannel-ts/cli';
import { BadReplyError, ServerStatusError, ServerUnreachableError } from './server-errors.js';
import { tlsHint } from './tls-hint.js';

/** As flannel's client: dial timeout 30 s, TCP keep-alive every 30 s, TLS handshake within 10 s. */
const DIAL_TIMEOUT_MS = 30_000;
const KEEPALIVE_MS = 30_000;
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;
/** A request that is not a long-poll and gets no answer within this is given up (and retried by its caller). */
export const REPLY_TIMEOUT_MS = 60_000;

/** How flanneld reaches its server: `--remote` and the `--remote-*` TLS files. */
export interface RemoteServerOptions {
  /** host:port */
  readonly remote: string;
  readonly cafile?: string;
  readonly certfile?: string;
  readonly keyfile?: string;
}

export interface RequestOptions {
  readonly body?: string;
  readonly signal?: AbortSignal;
  /** false for a long-poll: it waits as long as the server takes. Default REPLY_TIMEOUT_MS. */
  readonly timeoutMs?: number | false;
}

export interface ServerReply {
  readonly url: string;
  readonly status: number;
  readonly body: string;
}

/**
 * HTTP(S) to one flanneld server: one keep-alive agent, TLS with a client certificate when given,
 * every request cancelled when the daemon stops (`signal`) or the transport is closed. Tells the log
 * once when the server stops answering and once when it answers again, however many requests fail
 * in between.
 */
export class ServerTransport {
  /** `http(s)://<remote>/v1`, the API's root, for messages. */
  readonly baseUrl: string;
  /** `http(s)://<remote>`: request paths (`/v1/…`) are relative to it. */
  private readonly origin: string;
  private readonly agent: http.Agent;
  private readonly closed = new AbortController();
  private outage: string | undefined;

  private constructor(
    o: RemoteServerOptions,
    tls: TlsFiles | undefined,
    private readonly log: Logger,
  ) {
    this.origin = `${tls ? 'https' : 'http'}://${o.remote}`;
    this.baseUrl = `${this.origin}/v1`;
    const common = { keepAlive: true, keepAliveMsecs: KEEPALIVE_MS };
    this.agent = tls ? new https.Agent({ ...common, ...tls }) : new http.Agent(common);
  }

  /**
   * Reads the TLS files (a file that cannot be read or used is a fatal start-up error naming it).
   * When `signal` aborts (the daemon stops), every request in flight is cancelled.
   */
  static async create(o: RemoteServerOptions, log: Logger, signal?: AbortSignal): Promise<ServerTransport> {
    if (!/^[^/\s]+:\d+$/.test(o.remote)) throw new ExitError(`--remote=${o.remote}: expected host:port`);
    const transport = new ServerTransport(o, await readTlsFiles(o), log);
    signal?.addEventListener('abort', () => transport.close(), { once: true });
    return transport;
  }

  /** The full URL of an API path (`/v1/…`). */
  urlOf(path: string): string {
    return `${this.origin}${path}`;
  }

  /** Sends one request (`path` as lease-api's apiPaths give it); resolves to any HTTP answer, rejects with ServerUnreachableError when there is none. */
  async request(method: string, path: string, o: RequestOptions = {}): Promise<ServerReply> {
    const url = this.urlOf(path);
    const signal = AbortSignal.any([this.closed.signal, ...(o.signal ? [o.signal] : [])]);
    signal.throwIfAborted();
    try {
      const reply = await this.send(method, url, o, signal);
      this.answered();
      return reply;
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      const failure = new ServerUnreachableError(`${method} ${url}: ${describe(err)}`, { cause: err });
      this.unreachable(failure.message);
      throw failure;
    }
  }

  /** The body of a 200 answer; any other status rejects with ServerStatusError. */
  async ok(method: string, path: string, o: RequestOptions = {}): Promise<ServerReply> {
    const reply = await this.request(method, path, o);
    if (reply.status !== 200) throw new ServerStatusError(`${method} ${reply.url}`, reply.status, http.STATUS_CODES[reply.status] ?? '', reply.body);
    return reply;
  }

  /** The parsed JSON of a 200 answer. */
  async json(method: string, path: string, o: RequestOptions = {}): Promise<{ url: string; value: unknown }> {
    const reply = await this.ok(method, path, o);
    try {
      return { url: reply.url, value: JSON.parse(reply.body) };
    } catch (err) {
      throw new BadReplyError(`${method} ${reply.url}`, `not JSON: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Cancels every request in flight and closes the connections. */
  close(): void {
    this.closed.abort(new DOMException('the transport was closed', 'AbortError'));
    this.agent.destroy();
  }

  private send(method: string, url: string, o: RequestOptions, signal: AbortSignal): Promise<ServerReply> {
    return new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = { Accept: 'application/json' };
      if (o.body !== undefined) {
        headers['Content-Type'] = 'application/json';
        headers['Content-Length'] = Buffer.byteLength(o.body);
      }
      const client = url.startsWith('https:') ? https : http;
      const req = client.request(url, { method, agent: this.agent, headers, signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ url, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      const tls = url.startsWith('https:');
      let fresh = false;
      req.on('error', (err: NodeJS.ErrnoException) => {
        // Over TLS 1.3 a server refusing our client certificate may just hang up after the handshake.
        const hungUp = err.code === 'ECONNRESET' || err.message === 'socket hang up';
        reject(tls && fresh && hungUp && !tlsHint(err.code) ? Object.assign(err, { hint: REFUSED_CERT_HINT }) : err);
      });
      req.on('socket', (socket) => {
        fresh = socket.connecting;
        guardConnect(req, socket, tls);
      });
      const timeoutMs = o.timeoutMs ?? REPLY_TIMEOUT_MS;
      if (timeoutMs !== false) {
        const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
        req.on('close', () => clearTimeout(timer));
      }
      req.end(o.body);
    });
  }

  private unreachable(problem: string): void {
    // One line when the server goes away, not one per failed request while it is away.
    if (this.outage !== undefined) {
      this.log.debug(`Still cannot reach the flannel server: ${problem}`);
      return;
    }
    this.outage = problem;
    this.log.warn(`Cannot reach the flannel server at ${this.baseUrl}: ${problem}; retrying`);
  }

  private answered(): void {
    if (this.outage === undefined) return;
    this.outage = undefined;
    this.log.info(`The flannel server at ${this.baseUrl} answers again`);
  }
}

/** Dial and TLS handshake deadlines for a fresh connection; a reused keep-alive one is already past both. */
function guardConnect(req: http.ClientRequest, socket: Socket, tls: boolean): void {
  if (!socket.connecting) return;
  const fail = (what: string, ms: number) => setTimeout(() => req.destroy(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
  let timer = fail('dial', DIAL_TIMEOUT_MS);
  socket.once('connect', () => {
    clearTimeout(timer);
    if (!tls) return;
    timer = fail('TLS handshake', TLS_HANDSHAKE_TIMEOUT_MS);
    socket.once('secureConnect', () => clearTimeout(timer));
  });
  socket.once('close', () => clearTimeout(timer));
}

const REFUSED_CERT_HINT = 'the server hung up on a new TLS connection: does it accept the client certificate of --remote-certfile?';

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { hint?: string };
  const text = e instanceof Error ? e.message : String(err);
  const hint = tlsHint(e?.code) ?? e?.hint;
  return hint ? `${text} (${hint})` : text;
}

interface TlsFiles {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

async function readTlsFiles(o: RemoteServerOptions): Promise<TlsFiles | undefined> {
  if (!o.cafile && !o.certfile && !o.keyfile) return undefined;
  if (!o.certfile !== !o.keyfile) throw new ExitError('--remote-certfile and --remote-keyfile must be given together');
  const files: TlsFiles = {
    ...(o.cafile ? { ca: await readNamed(o.cafile, '--remote-cafile') } : {}),
    ...(o.certfile ? { cert: await readNamed(o.certfile, '--remote-certfile') } : {}),
    ...(o.keyfile ? { key: await readNamed(o.keyfile, '--remote-keyfile') } : {}),
  };
  try {
    createSecureContext(files);
  } catch (err) {
    const named = [o.cafile && `--remote-cafile ${o.cafile}`, o.certfile && `--remote-certfile ${o.certfile}`, o.keyfile && `--remote-keyfile ${o.keyfile}`];
    throw new ExitError(`unusable TLS files (${named.filter(Boolean).join(', ')}): ${(err as Error).message}`, 1, { cause: err });
  }
  return files;
}

async function readNamed(path: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new ExitError(`${flag}: cannot read ${path}: ${(err as Error).message}`, 1, { cause: err });
  }
}
