import { formatIP4Net } from '@flannel-ts/ip';
import {
  apiPaths,
  decodeLease,
  decodeLeaseWatchResult,
  encodeLease,
  encodeLeaseAttrs as encodeApiLeaseAttrs,
  isSnapshot,
  type ApiEvent,
  type ApiLease,
} from '@flannel-ts/lease-api';
import {
  encodeLeaseAttrs,
  leaseKey,
  type AcquireOptions,
  type AllocationRange,
  type Lease,
  type LeaseAttrs,
  type LeaseListing,
  type SubnetManager,
  type WatchChange,
  type WatchHandle,
  type WatchHandlers,
} from '@flannel-ts/subnet';
import { BadReplyError, ServerStatusError } from './server-errors.js';
import type { ServerTransport } from './server-transport.js';
import { TroubleBackoff, watchLoop } from './watch-loop.js';

/**
 * A network's leases kept by a flanneld server (`--remote`): config, acquire, renew, revoke and
 * watch over its REST API. The server allocates; a lease carries the expiration the server gave it.
 */
export class RemoteSubnetManager implements SubnetManager {
  /** `<server>/v1/<network>`: where this network's config and leases are, for messages. */
  readonly prefix: string;
  private readonly trouble = new TroubleBackoff();

  constructor(
    private readonly transport: ServerTransport,
    /** The network's name; '' for the single unnamed network. */
    readonly network = '',
    private readonly ownsTransport = true,
  ) {
    this.prefix = transport.urlOf(apiPaths.config(network)).replace(/\/config$/, '');
  }

  /** The config the server serves; undefined when it has none (it answers 404). */
  async getConfig(): Promise<string | undefined> {
    try {
      const { value } = await this.transport.json('GET', apiPaths.config(this.network));
      return JSON.stringify(value);
    } catch (err) {
      if (err instanceof ServerStatusError && err.status === 404) return undefined;
      throw err;
    }
  }

  async listLeases(signal?: AbortSignal): Promise<LeaseListing> {
    const { url, value } = await this.transport.json('GET', apiPaths.leases(this.network), signal ? { signal } : {});
    const result = decoded(url, () => decodeLeaseWatchResult(value));
    if (!isSnapshot(result)) throw new BadReplyError(url, 'a watch without a cursor answered events, not a snapshot');
    return { leases: (result.snapshot ?? []).map(toLease), skipped: [], revision: result.cursor };
  }

  watchLeases(fromRevision: string, handlers: WatchHandlers): Promise<WatchHandle> {
    return Promise.resolve(
      watchLoop<WatchChange>({
        transport: this.transport,
        path: (cursor) => apiPaths.leases(this.network, cursor),
        fromRevision,
        handlers,
        trouble: this.trouble,
        decode: (url, value) => {
          const result = decoded(url, () => decodeLeaseWatchResult(value));
          return { changes: (result.events ?? []).map(toChange), cursor: result.cursor, snapshot: isSnapshot(result) };
        },
        probe: (signal) => this.listLeases(signal),
      }),
    );
  }

  /** The server picks the subnet (the preferred one cannot be asked for over this API). */
  async acquireLease(_range: AllocationRange, attrs: LeaseAttrs, o: AcquireOptions): Promise<Lease> {
    const { url, value } = await this.transport.json('POST', apiPaths.leases(this.network), { body: encodeApiLeaseAttrs(attrs) });
    const lease = toLease(decoded(url, () => decodeLease(value)));
    o.log.info(`Acquired lease ${formatIP4Net(lease.subnet)} from the flannel server`);
    return lease;
  }

  /** A PUT with the new attributes; undefined when the server no longer has the lease for us. */
  async updateLease(existing: Lease, attrs: LeaseAttrs): Promise<Lease | undefined> {
    return this.put({ ...existing, attrs });
  }

  /** Seconds left by the expiration the server answers; 0 when it no longer has the lease for us (404). */
  async renewLease(lease: Lease): Promise<number> {
    const renewed = await this.put(lease);
    if (!renewed) return 0;
    if (renewed.expiration === undefined) {
      throw new BadReplyError(`PUT ${this.transport.urlOf(apiPaths.lease(this.network, lease.subnet))}`, 'the renewed lease has no expiration');
    }
    return Math.max(0, (renewed.expiration - Date.now()) / 1000);
  }

  async revokeLease(lease: Lease): Promise<void> {
    await this.transport.ok('DELETE', apiPaths.lease(this.network, lease.subnet));
  }

  close(): void {
    if (this.ownsTransport) this.transport.close();
  }

  private async put(lease: Lease): Promise<Lease | undefined> {
    const body = encodeLease({
      subnet: lease.subnet,
      attrs: lease.attrs,
      ...(lease.expiration !== undefined ? { expiration: new Date(lease.expiration) } : {}),
    });
    try {
      const { url, value } = await this.transport.json('PUT', apiPaths.lease(this.network, lease.subnet), { body });
      return toLease(decoded(url, () => decodeLease(value)));
    } catch (err) {
      if (err instanceof ServerStatusError && err.status === 404) return undefined;
      throw err;
    }
  }
}

function toLease(l: ApiLease): Lease {
  return {
    subnet: l.subnet,
    attrs: l.attrs,
    // The API has no etcd lease ids: "0" still marks a reservation (no expiration), as for etcd.
    etcdLeaseId: l.expiration === undefined ? '0' : 'remote',
    modRevision: '',
    value: encodeLeaseAttrs(l.attrs),
    ...(l.expiration !== undefined ? { expiration: l.expiration.getTime() } : {}),
  };
}

function toChange(ev: ApiEvent): WatchChange {
  const key = leaseKey('', ev.lease.subnet);
  return ev.type === 'added' ? { type: 'put', key, lease: toLease(ev.lease) } : { type: 'delete', key, subnet: ev.lease.subnet };
}

/** Runs a decoder of the wire format; its complaint becomes a BadReplyError naming the URL. */
export function decoded<T>(url: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    throw new BadReplyError(url, (err as Error).message, { cause: err });
  }
}
