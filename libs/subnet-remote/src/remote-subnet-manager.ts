import { formatIP4Net, type IP4Net } from '@flannel-ts/ip';
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
import * as wire from './wire.js';

/**
 * A network's leases kept by a flanneld server (`--remote`): config, acquire, renew, revoke and
 * watch over its REST API. The server allocates; a lease carries the expiration the server gave it.
 */
export class RemoteSubnetManager implements SubnetManager {
  /** `<server>/v1/<network>`: where this network's config and leases are, for messages. */
  readonly prefix: string;
  private readonly path: string;
  private readonly trouble = new TroubleBackoff();

  constructor(
    private readonly transport: ServerTransport,
    /** The network's name; '' for the single unnamed network. */
    readonly network = '',
    private readonly ownsTransport = true,
  ) {
    this.path = `/${wire.networkPathPart(network)}`;
    this.prefix = `${transport.baseUrl}${this.path}`;
  }

  /** The config the server serves; undefined when it has none (it answers 404). */
  async getConfig(): Promise<string | undefined> {
    try {
      const { value } = await this.transport.json('GET', `${this.path}/config`);
      return JSON.stringify(value);
    } catch (err) {
      if (err instanceof ServerStatusError && err.status === 404) return undefined;
      throw err;
    }
  }

  async listLeases(signal?: AbortSignal): Promise<LeaseListing> {
    const { url, value } = await this.transport.json('GET', `${this.path}/leases`, signal ? { signal } : {});
    const result = decoded(url, () => wire.decodeLeaseWatchResult(value));
    if (result.events.length > 0) throw new BadReplyError(url, 'a watch without a cursor answered events, not a snapshot');
    return { leases: result.snapshot.map((l) => this.toLease(l)), skipped: [], revision: result.cursor };
  }

  watchLeases(fromRevision: string, handlers: WatchHandlers): Promise<WatchHandle> {
    return Promise.resolve(
      watchLoop({
        transport: this.transport,
        path: `${this.path}/leases`,
        fromRevision,
        handlers: { ...handlers, onChanges: (changes, revision) => handlers.onChanges(changes as WatchChange[], revision) },
        decode: (url, value) => {
          const result = decoded(url, () => wire.decodeLeaseWatchResult(value));
          return { changes: result.events.map((ev) => this.toChange(ev)), cursor: result.cursor, snapshot: result.events.length === 0 };
        },
        probe: (signal) => this.listLeases(signal),
        trouble: this.trouble,
      }),
    );
  }

  /** The server picks the subnet (the preferred one cannot be asked for over this API). */
  async acquireLease(_range: AllocationRange, attrs: LeaseAttrs, o: AcquireOptions): Promise<Lease> {
    const { url, value } = await this.transport.json('POST', `${this.path}/leases`, { body: encodeLeaseAttrs(attrs) });
    const lease = this.toLease(decoded(url, () => wire.decodeLease(value)));
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
    if (renewed.expiration === undefined) throw new BadReplyError(`PUT ${this.leaseUrl(lease.subnet)}`, 'the renewed lease has no expiration');
    return Math.max(0, (renewed.expiration - Date.now()) / 1000);
  }

  async revokeLease(lease: Lease): Promise<void> {
    await this.transport.ok('DELETE', this.leasePath(lease.subnet));
  }

  close(): void {
    if (this.ownsTransport) this.transport.close();
  }

  private async put(lease: Lease): Promise<Lease | undefined> {
    const body = wire.encodeLease({ subnet: lease.subnet, attrs: lease.attrs, expiration: lease.expiration });
    try {
      const { url, value } = await this.transport.json('PUT', this.leasePath(lease.subnet), { body });
      return this.toLease(decoded(url, () => wire.decodeLease(value)));
    } catch (err) {
      if (err instanceof ServerStatusError && err.status === 404) return undefined;
      throw err;
    }
  }

  private leasePath(subnet: IP4Net): string {
    return `${this.path}/leases/${wire.subnetPathPart(subnet)}`;
  }

  private leaseUrl(subnet: IP4Net): string {
    return `${this.transport.baseUrl}${this.leasePath(subnet)}`;
  }

  private toLease(l: wire.WireLease): Lease {
    return {
      subnet: l.subnet,
      attrs: l.attrs,
      // The API has no etcd lease ids: "0" still marks a reservation (no expiration), as for etcd.
      etcdLeaseId: l.expiration === undefined ? '0' : 'remote',
      modRevision: '',
      value: encodeLeaseAttrs(l.attrs),
      ...(l.expiration !== undefined ? { expiration: l.expiration } : {}),
    };
  }

  private toChange(ev: wire.WireEvent): WatchChange {
    const key = leaseKey('', ev.lease.subnet);
    return ev.type === 'added' ? { type: 'put', key, lease: this.toLease(ev.lease) } : { type: 'delete', key, subnet: ev.lease.subnet };
  }
}

/** Runs a decoder of the wire format; its complaint becomes a BadReplyError naming the URL. */
export function decoded<T>(url: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    throw new BadReplyError(url, (err as Error).message, { cause: err });
  }
}
