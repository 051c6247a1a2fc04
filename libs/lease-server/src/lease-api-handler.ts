import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { parseNetworkConfig, serializeNetworkConfig, type NetworkConfig } from '@flannel-ts/config';
import { formatIP4, formatIP4Net, type IP4Net } from '@flannel-ts/ip';
import {
  decodeLease,
  decodeLeaseAttrs,
  decodeReservation,
  encodeLease,
  encodeReservations,
  encoderBody,
  parseApiPath,
  parseJsonText,
  parseSubnetSegment,
  type ApiLeaseAttrs,
  type ApiRoute,
} from '@flannel-ts/lease-api';
import { errorText } from '@flannel-ts/retry';
import {
  addReservation,
  isReservation,
  leaseOfSubnet,
  listReservations,
  removeReservation,
  ReservationRefusedError,
  type Lease,
} from '@flannel-ts/subnet';
import { toApiLease } from './api-lease.js';
import { HttpError, readBody, sendEmpty, sendError, sendJson } from './http-io.js';
import { LeaseHub } from './lease-hub.js';
import { NetworkHub } from './network-hub.js';
import type { ServedNetwork, ServedNetworks } from './served-networks.js';

export interface LeaseApiOptions {
  readonly networks: ServedNetworks;
  /** TTL of the leases the server grants. */
  readonly ttlSeconds: number;
  readonly log: Logger;
  /** Changes kept per network for readers that are behind (default 1,000). */
  readonly historyLimit?: number;
}

/** Bound on concurrent changes lost while renewing or revoking one lease. */
const TRIES = 10;

/**
 * The REST API of flannel's server mode over the lease stores: each request answered in full
 * (JSON or a one-line error), watches through one LeaseHub per network.
 */
export class LeaseApiHandler {
  private readonly hubs = new Map<string, LeaseHub>();
  private networkHub: NetworkHub | undefined;

  constructor(private readonly o: LeaseApiOptions) {}

  /** Answers one request; never rejects. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.on('finish', () => this.o.log.info(`${req.method} ${req.url} - ${res.statusCode}`));
    try {
      await this.route(req, res);
    } catch (err) {
      const status = statusOf(err);
      const message = status === 500 ? errorText(err) : (err as Error).message;
      if (status === 500) this.o.log.warn(`${req.method} ${req.url}: ${message}`);
      if (!res.headersSent && !res.destroyed) sendError(res, status, message);
    }
  }

  /** Readers waiting on watches, over every network. */
  get waiting(): number {
    let n = 0;
    for (const hub of this.hubs.values()) n += hub.waiting;
    return n + (this.networkHub?.waiting ?? 0);
  }

  close(): void {
    for (const hub of this.hubs.values()) hub.close();
    this.hubs.clear();
    this.networkHub?.close();
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://server');
    const route = parseApiPath(url.pathname);
    if (!route) throw new HttpError(404, '404 page not found');
    const method = req.method ?? '';
    const allowed = METHODS[route.resource];
    if (!allowed.includes(method)) {
      res.setHeader('Allow', allowed.join(', '));
      throw new HttpError(405, `method ${method} not allowed on ${url.pathname}`);
    }
    if (route.resource === 'networks') return this.watchNetworks(url, res);
    const net = this.o.networks.network(route.network);
    switch (`${method} ${route.resource}`) {
      case 'GET config':
        return sendJson(res, encoderBody(serializeNetworkConfig(await readConfig(net))));
      case 'POST leases':
        return sendJson(res, await this.acquire(route, net, await readBody(req)));
      case 'PUT lease':
        return sendJson(res, await this.renew(route, net, await readBody(req)));
      case 'GET leases':
      case 'GET lease':
        return this.watch(route, net, url, res);
      case 'DELETE lease':
        await this.revoke(net, subnetIn(route, 'bad subnet'));
        return sendEmpty(res);
      case 'GET reservations':
        return sendJson(res, encoderBody(encodeReservations(await listReservations(net.registry))));
      case 'POST reservations': {
        const reservation = decodeBody(await readBody(req), decodeReservation);
        await addReservation(net.registry, await readConfig(net), reservation);
        return sendEmpty(res);
      }
      case 'DELETE reservation': {
        const subnet = subnetIn(route, 'failed to parse subnet');
        if (!(await removeReservation(net.registry, subnet, this.o.ttlSeconds))) throw notHeld(subnet);
        return sendEmpty(res);
      }
    }
    throw new Error(`no handler for ${method} ${route.resource}`);
  }

  private async acquire(route: ApiRoute & { network: string }, net: ServedNetwork, body: string): Promise<string> {
    const attrs = decodeBody(body, decodeLeaseAttrs);
    if (attrs.publicIp === 0) throw new HttpError(400, 'JSON decoding error: no PublicIP in the lease attributes');
    const config = await readConfig(net);
    const lease = await net.manager.acquireLease(config, attrs, { ttlSeconds: this.o.ttlSeconds, log: this.o.log });
    return this.reply(route.network, lease, Date.now() + this.o.ttlSeconds * 1000);
  }

  /**
   * Keeps the lease the body names alive: a keepalive of its etcd lease when its attributes are
   * unchanged, else a rewrite on a fresh TTL. 404 when the store no longer has it for that host.
   */
  private async renew(route: ApiRoute & { network: string }, net: ServedNetwork, body: string): Promise<string> {
    const wanted = decodeBody(body, decodeLease);
    const attrs = wanted.attrs;
    for (let attempt = 0; attempt < TRIES; attempt++) {
      const held = leaseOfSubnet((await net.manager.listLeases()).leases, wanted.subnet);
      if (!held || held.attrs.publicIp !== attrs.publicIp) throw notHeld(wanted.subnet, attrs.publicIp);
      if (sameAttrs(held, attrs)) {
        if (isReservation(held)) return this.reply(route.network, held, undefined);
        const seconds = await net.manager.renewLease(held);
        if (seconds === 0) throw notHeld(wanted.subnet, attrs.publicIp);
        return this.reply(route.network, held, Date.now() + seconds * 1000);
      }
      const rewritten = await net.manager.updateLease(held, attrs, this.o.ttlSeconds);
      if (rewritten) return this.reply(route.network, rewritten, Date.now() + this.o.ttlSeconds * 1000);
    }
    throw new Error(`lease ${formatIP4Net(wanted.subnet)} kept changing while it was renewed`);
  }

  private async revoke(net: ServedNetwork, subnet: IP4Net): Promise<void> {
    for (let attempt = 0; attempt < TRIES; attempt++) {
      const held = leaseOfSubnet((await net.manager.listLeases()).leases, subnet);
      if (!held) throw notHeld(subnet);
      if (await net.registry.deleteLease(held)) return;
    }
    throw new Error(`lease ${formatIP4Net(subnet)} kept changing while it was revoked`);
  }

  private async watch(route: ApiRoute & { network: string }, net: ServedNetwork, url: URL, res: ServerResponse) {
    const cursor = cursorIn(url);
    const subnet = route.resource === 'lease' ? subnetIn(route, 'bad subnet') : undefined;
    replyToWatch(res, await this.hubFor(route.network, net).watch(cursor, subnet, leaving(res)));
  }

  private async watchNetworks(url: URL, res: ServerResponse) {
    const cursor = cursorIn(url);
    const registry = this.o.networks.registry;
    if (!registry) throw new HttpError(404, 'no network list: this server serves the unnamed network only');
    this.networkHub ??= new NetworkHub(registry, this.o.log.child({ component: 'networks' }), this.o.historyLimit ?? 1_000);
    replyToWatch(res, await this.networkHub.watch(cursor, leaving(res)));
  }

  private hubFor(network: string, net: ServedNetwork): LeaseHub {
    let hub = this.hubs.get(network);
    if (!hub) {
      hub = new LeaseHub({
        manager: net.manager,
        registry: net.registry,
        log: this.o.log.child({ network: network || '_' }),
        historyLimit: this.o.historyLimit ?? 1_000,
        fallbackTtlSeconds: this.o.ttlSeconds,
      });
      this.hubs.set(network, hub);
    }
    return hub;
  }

  private reply(network: string, lease: Lease, expiresAt: number | undefined): string {
    if (expiresAt !== undefined) this.hubs.get(network)?.noteExpiration(lease, expiresAt);
    return encoderBody(encodeLease(toApiLease(lease, expiresAt)));
  }
}

const METHODS: Record<ApiRoute['resource'], readonly string[]> = {
  networks: ['GET'],
  config: ['GET'],
  leases: ['GET', 'POST'],
  lease: ['GET', 'PUT', 'DELETE'],
  reservations: ['GET', 'POST'],
  reservation: ['DELETE'],
};

function cursorIn(url: URL): bigint | undefined {
  const next = url.searchParams.get('next');
  if (next !== null && !/^[0-9]{1,19}$/.test(next)) throw new HttpError(400, `bad cursor ${JSON.stringify(next)}`);
  return next === null ? undefined : BigInt(next);
}

/** A reader that closes its connection before the reply stops waiting. */
function leaving(res: ServerResponse): (left: () => void) => () => void {
  return (left) => {
    const closed = () => res.writableFinished || left();
    res.once('close', closed);
    return () => res.off('close', closed);
  };
}

/** Undefined or empty: the reader left, or the server is closing. */
function replyToWatch(res: ServerResponse, body: string | undefined): void {
  if (body) sendJson(res, body);
  else res.destroy();
}

function statusOf(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  if (err instanceof ReservationRefusedError) return err.taken ? 409 : 400;
  return 500;
}

async function readConfig(net: ServedNetwork): Promise<NetworkConfig> {
  const key = `${net.manager.prefix}/config`;
  const text = await net.manager.getConfig();
  if (text === undefined) throw new Error(`no network config at ${key}`);
  try {
    return parseNetworkConfig(text);
  } catch (err) {
    throw new Error(`network config at ${key}: ${(err as Error).message}`, { cause: err });
  }
}

function decodeBody<T>(body: string, decode: (value: unknown) => T): T {
  try {
    return decode(parseJsonText(body, 'body'));
  } catch (err) {
    throw new HttpError(400, `JSON decoding error: ${(err as Error).message}`);
  }
}

function subnetIn(route: ApiRoute, message: string): IP4Net {
  const subnet = 'subnet' in route ? parseSubnetSegment(route.subnet) : undefined;
  if (!subnet) throw new HttpError(400, message);
  return subnet;
}

function notHeld(subnet: IP4Net, publicIp?: number): HttpError {
  const by = publicIp === undefined ? '' : ` for ${formatIP4(publicIp)}`;
  return new HttpError(404, `no lease ${formatIP4Net(subnet)}${by} in the store`);
}

function sameAttrs(held: Lease, attrs: ApiLeaseAttrs): boolean {
  const norm = (raw: string | undefined) => (raw === undefined ? undefined : JSON.stringify(JSON.parse(raw)));
  return (
    held.attrs.publicIp === attrs.publicIp &&
    (held.attrs.backendType ?? '') === (attrs.backendType ?? '') &&
    norm(held.attrs.backendData) === norm(attrs.backendData)
  );
}
