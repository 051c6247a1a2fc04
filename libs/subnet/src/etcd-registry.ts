import type { Etcd3, IKeyValue, IWatchResponse, Watcher } from 'etcd3';
import type { IP4Net } from '@flannel-ts/ip';
import { EtcdMembers, SilentMemberError } from './etcd-members.js';
import { etcdErrorText } from './etcd-error-text.js';
import { etcdClientOptions, type EtcdConnectOptions, type EtcdRequestObserver } from './etcd-options.js';
import { configKey, leaseKey, networkOfConfigKey, parseLeaseKey, subnetsPrefix, trimSlash } from './keys.js';
import { EtcdNetworkRegistry } from './etcd-network-registry.js';
import type { Lease, LeaseAttrs } from './lease.js';
import { decodeLeaseAttrs, encodeLeaseAttrs } from './lease-json.js';
import type { LeaseListing, LeaseRegistry, SkippedKey, WatchChange, WatchHandle, WatchHandlers } from './lease-registry.js';
import { RetryableError } from '@flannel-ts/retry';

type Etcd3Module = typeof import('etcd3');

const CALL_TIMEOUT_MS = 5_000;

/**
 * The etcd v3 side of the lease registry: the only module that talks to etcd. It talks to one member
 * of the cluster at a time and moves to the next when that one fails (see EtcdMembers).
 */
export class EtcdLeaseRegistry implements LeaseRegistry {
  private constructor(
    private readonly lib: Etcd3Module,
    private readonly members: EtcdMembers<Etcd3>,
    readonly prefix: string,
    private readonly shared = false,
    private readonly observer: EtcdRequestObserver = IGNORE_REQUESTS,
  ) {}

  static async connect(options: EtcdConnectOptions & { prefix: string; observer?: EtcdRequestObserver }): Promise<EtcdLeaseRegistry> {
    // Loaded on demand: etcd3 and gRPC are the largest part of start-up.
    const { etcd3, grpc } = await import('./grpc-modules.js');
    const { endpoints, options: clientOptions } = await etcdClientOptions(options, grpc);
    const connect = (endpoint: string) => new etcd3.Etcd3({ ...clientOptions, hosts: endpoint });
    const explain = (err: Error) => etcdErrorText(err.message, options);
    return new EtcdLeaseRegistry(etcd3, new EtcdMembers(endpoints, connect, isMembersFault(etcd3), undefined, explain), options.prefix, false, options.observer);
  }

  async getConfig(): Promise<string | undefined> {
    const res = await this.call('range', (c) => c.kv.range({ key: Buffer.from(configKey(this.prefix)) }, callOptions()));
    return res.kvs[0]?.value.toString();
  }

  /** Writes the network config as given (flannelctl's `config set`; the daemons only read it). */
  async putConfig(text: string): Promise<void> {
    await this.call('put', (c) => c.kv.put({ key: Buffer.from(configKey(this.prefix)), value: Buffer.from(text) }, callOptions()));
  }

  async listLeases(): Promise<LeaseListing> {
    const prefix = subnetsPrefix(this.prefix);
    const res = await this.call('range', (c) =>
      c.kv.range({ key: Buffer.from(prefix), range_end: prefixEnd(Buffer.from(prefix)) }, callOptions()),
    );
    const leases: Lease[] = [];
    const skipped: SkippedKey[] = [];
    for (const kv of res.kvs) {
      const read = readLease(kv);
      if ('lease' in read) leases.push(read.lease);
      else skipped.push(read.skipped);
    }
    return { leases, skipped, revision: res.header.revision };
  }

  async createLease(subnet: IP4Net, attrs: LeaseAttrs, ttlSeconds: number, granted?: string): Promise<Lease | undefined> {
    const leaseId = granted ?? (await this.grantTtl(ttlSeconds));
    try {
      const lease = await this.putIf(subnet, attrs, leaseId, { target: 'Version', version: 0 });
      if (!lease) await this.revoke(leaseId);
      return lease;
    } catch (err) {
      await this.revoke(leaseId).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Rewrites `existing` with `attrs` if nobody changed it since it was read. A reservation stays
   * without TTL; a lease gets a fresh etcd lease and the old one is revoked before this resolves, so
   * none leak even when the daemon is killed right after.
   */
  async replaceLease(existing: Lease, attrs: LeaseAttrs, ttlSeconds: number, granted?: string): Promise<Lease | undefined> {
    const cmp = { target: 'Mod' as const, mod_revision: existing.modRevision };
    if (existing.etcdLeaseId === '0') {
      if (granted !== undefined) this.dropTtl(granted);
      return this.putIf(existing.subnet, attrs, '0', cmp);
    }
    const leaseId = granted ?? (await this.grantTtl(ttlSeconds));
    let lease: Lease | undefined;
    try {
      lease = await this.putIf(existing.subnet, attrs, leaseId, cmp);
    } catch (err) {
      await this.revoke(leaseId).catch(() => undefined);
      throw err;
    }
    await this.revoke(lease ? existing.etcdLeaseId : leaseId).catch(() => undefined);
    return lease;
  }

  dropTtl(leaseId: string): void {
    this.revoke(leaseId).catch(() => undefined);
  }

  /** Deletes `existing` if unchanged since it was read. */
  async deleteLease(existing: Lease): Promise<boolean> {
    const key = Buffer.from(leaseKey(this.prefix, existing.subnet));
    const res = await this.call('txn', (c) =>
      c.kv.txn(
        {
          compare: [{ key, result: 'Equal', target: 'Mod', mod_revision: existing.modRevision }],
          success: [{ request_delete_range: { key } }],
          failure: [],
        },
        callOptions(),
      ),
    );
    return res.succeeded;
  }

  async reserve(subnet: IP4Net, attrs: LeaseAttrs, existing: Lease | undefined): Promise<Lease | undefined> {
    const cmp = existing
      ? { target: 'Mod' as const, mod_revision: existing.modRevision }
      : { target: 'Version' as const, version: 0 };
    const lease = await this.putIf(subnet, attrs, '0', cmp);
    // The key left its etcd lease, which holds nothing now.
    if (lease && existing && existing.etcdLeaseId !== '0') await this.revoke(existing.etcdLeaseId).catch(() => undefined);
    return lease;
  }

  async unreserve(existing: Lease, ttlSeconds: number): Promise<Lease | undefined> {
    const leaseId = await this.grantTtl(ttlSeconds);
    let lease: Lease | undefined;
    try {
      lease = await this.putIf(existing.subnet, existing.attrs, leaseId, { target: 'Mod', mod_revision: existing.modRevision });
    } catch (err) {
      await this.revoke(leaseId).catch(() => undefined);
      throw err;
    }
    if (!lease) await this.revoke(leaseId).catch(() => undefined);
    return lease;
  }

  async timeToLive(leaseId: string): Promise<number> {
    const res = await this.call('lease_ttl', (c) => c.leaseClient.leaseTimeToLive({ ID: leaseId, keys: false }, callOptions()));
    return Math.max(0, Number(res.TTL));
  }

  /** Refreshes an etcd lease; resolves to its remaining TTL in seconds, 0 when it no longer exists. */
  async keepAlive(leaseId: string): Promise<number> {
    return this.call('lease_keepalive', (c) => this.keepAliveOn(c, leaseId));
  }

  private async keepAliveOn(client: Etcd3, leaseId: string): Promise<number> {
    const stream = await client.leaseClient.leaseKeepAlive(callOptions());
    try {
      const res = await new Promise<{ TTL: string }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new SilentMemberError('lease keepalive timed out')), CALL_TIMEOUT_MS);
        stream.on('data', (r) => {
          clearTimeout(timer);
          resolve(r);
        });
        stream.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
        stream.write({ ID: leaseId });
      });
      return Math.max(0, Number(res.TTL));
    } finally {
      stream.end();
    }
  }

  /**
   * Watches every lease key from `fromRevision` on, on the current member. The watch stops (resumable)
   * when its stream breaks, when the member does not accept it in time, and when anything else blames
   * the member; it then resumes on the member calls go to by then.
   */
  watchLeases(fromRevision: string, handlers: WatchHandlers): Promise<WatchHandle> {
    return this.watchPrefix(subnetsPrefix(this.prefix), fromRevision, {
      ...handlers,
      onEvents: (events, revision) => handlers.onChanges(events.map(toWatchChange), revision),
    });
  }

  /** The networks under this registry's prefix, for multi-network mode. */
  networks(): EtcdNetworkRegistry {
    return new EtcdNetworkRegistry(this, (prefix) => new EtcdLeaseRegistry(this.lib, this.members, prefix, true, this.observer));
  }

  /** The names of the networks under the prefix: `<prefix>/<name>/config` keys, read without values. */
  async listNetworkNames(): Promise<{ names: string[]; revision: string }> {
    const prefix = Buffer.from(`${trimSlash(this.prefix)}/`);
    const res = await this.call('range', (c) => c.kv.range({ key: prefix, range_end: prefixEnd(prefix), keys_only: true }, callOptions()));
    const names = res.kvs.flatMap((kv) => {
      const name = networkOfConfigKey(this.prefix, kv.key.toString());
      return name === undefined ? [] : [name];
    });
    return { names, revision: res.header.revision };
  }

  /** Raw watch of every key under `<prefix>/`, with the same stop rules as watchLeases. */
  watchNetworkKeys(
    fromRevision: string,
    handlers: Omit<WatchHandlers, 'onChanges'> & { onEvents(events: IWatchResponse['events'], revision: string): void },
  ): Promise<WatchHandle> {
    return this.watchPrefix(`${trimSlash(this.prefix)}/`, fromRevision, handlers);
  }

  private async watchPrefix(
    prefix: string,
    fromRevision: string,
    handlers: Omit<WatchHandlers, 'onChanges'> & { onEvents(events: IWatchResponse['events'], revision: string): void },
  ): Promise<WatchHandle> {
    const member = this.members.now;
    const started = performance.now();
    const observe = (ok: boolean) => this.observer.request('watch', (performance.now() - started) / 1000, ok);
    const watcher: Watcher = member.client.watch().prefix(prefix).startRevision(fromRevision).watcher();
    let stopped = false;
    const end = () => {
      stopped = true;
      clearTimeout(creating);
      unsubscribe();
      return watcher.cancel().catch(() => undefined);
    };
    const stop = (err: Error, resumable: boolean) => {
      if (stopped) return;
      void end();
      handlers.onStopped(err, resumable);
    };
    // A member that does not accept the watch is as silent as one whose stream went quiet.
    const creating = setTimeout(() => {
      observe(false);
      this.members.failed(member, new SilentMemberError(`watch not accepted within ${CALL_TIMEOUT_MS} ms`));
    }, CALL_TIMEOUT_MS);
    const unsubscribe = this.members.onLeft(member, (err) => stop(err, true));
    watcher.on('connected', () => {
      clearTimeout(creating);
      observe(true);
      if (!stopped) handlers.onStarted?.();
    });
    watcher.on('data', (res: IWatchResponse) => {
      if (stopped || res.events.length === 0) return;
      handlers.onEvents(res.events, res.events[res.events.length - 1]!.kv.mod_revision);
    });
    // The stream broke (keepalive unanswered, member gone or without a leader): the member is to blame.
    watcher.on('disconnected', (err: Error) => {
      if (!stopped) observe(false);
      this.members.failed(member, err, true);
    });
    // etcd 3.4 cancels a watch on compacted history with an empty reason: any cancel means re-list.
    watcher.on('error', (err: Error) => stop(this.members.failed(member, err, false), false));
    return {
      cancel: async () => {
        await end();
      },
    };
  }

  close(): void {
    // A registry made for one network of multi-network mode shares its parent's connections.
    if (!this.shared) this.members.close();
  }

  /** One call on the current member; a failure of etcd or the network becomes a RetryableError. */
  private async call<T>(op: string, call: (client: Etcd3) => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await this.members.call(call);
      this.observer.request(op, (performance.now() - started) / 1000, true);
      return result;
    } catch (err) {
      this.observer.request(op, (performance.now() - started) / 1000, false);
      throw this.isEtcdFailure(err) ? new RetryableError((err as Error).message, { cause: err }) : err;
    }
  }

  /** Whether `err` or what it wraps is etcd's or the network's doing, not a bug of ours. */
  private isEtcdFailure(err: unknown): boolean {
    const { lib } = this;
    const etcdClasses = [
      lib.GRPCGenericError,
      lib.ClientRuntimeError,
      lib.ClientClosedError,
      lib.EtcdError,
      lib.EtcdLeaseInvalidError,
      lib.EtcdPermissionDeniedError,
      lib.EtcdAuthenticationFailedError,
      lib.EtcdInvalidAuthTokenError,
      lib.EtcdWatchStreamEnded,
    ];
    for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
      // Raw gRPC status errors (a keepalive stream's) carry a numeric code and metadata.
      const grpcStatus = typeof (e as { code?: unknown }).code === 'number' && (e as { metadata?: unknown }).metadata !== undefined;
      if (e instanceof RetryableError || etcdClasses.some((c) => e instanceof c) || grpcStatus) return true;
      if (typeof (e as NodeJS.ErrnoException).code === 'string') return true;
    }
    return false;
  }

  async grantTtl(ttlSeconds: number): Promise<string> {
    const res = await this.call('lease_grant', (c) => c.leaseClient.leaseGrant({ TTL: ttlSeconds, ID: 0 }, callOptions()));
    return res.ID;
  }

  private async revoke(leaseId: string): Promise<void> {
    await this.call('lease_revoke', (c) => c.leaseClient.leaseRevoke({ ID: leaseId }, callOptions()));
  }

  private async putIf(
    subnet: IP4Net,
    attrs: LeaseAttrs,
    leaseId: string,
    cmp: { target: 'Version'; version: number } | { target: 'Mod'; mod_revision: string },
  ): Promise<Lease | undefined> {
    const key = Buffer.from(leaseKey(this.prefix, subnet));
    const value = encodeLeaseAttrs(attrs);
    const res = await this.call('txn', (c) =>
      c.kv.txn(
        {
          compare: [{ key, result: 'Equal', ...cmp }],
          success: [{ request_put: { key, value: Buffer.from(value), lease: leaseId } }],
          failure: [],
        },
        callOptions(),
      ),
    );
    if (!res.succeeded) return undefined;
    return { subnet, attrs, etcdLeaseId: leaseId, modRevision: res.header.revision, value };
  }
}

/**
 * Whether a failed call is the member's fault: a network or server fault in etcd3's terms (its
 * errors from streams arrive as gRPC's plain ones, hence the cast) that etcd did not send itself.
 * What etcd sends ("etcdserver: no leader", "leader changed", "request timed out") comes from a
 * member that answers, and passes with an election; a member cut off from its peers for longer is
 * left when etcd ends our watch on it for want of a leader.
 */
function isMembersFault(etcd3: typeof import('etcd3')): (err: Error) => boolean {
  return (err) => {
    const cast = etcd3.castGrpcError(err);
    return etcd3.isRecoverableError(cast) && !cast.message.includes('etcdserver:');
  };
}

const IGNORE_REQUESTS: EtcdRequestObserver = { request: () => undefined };

function callOptions(): { deadline: Date } {
  return { deadline: new Date(Date.now() + CALL_TIMEOUT_MS) };
}

function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  end[end.length - 1]! += 1;
  return end;
}

function readLease(kv: IKeyValue): { lease: Lease } | { skipped: SkippedKey } {
  const key = kv.key.toString();
  const subnet = parseLeaseKey(key);
  if (!subnet) return { skipped: { key, reason: 'key does not name a subnet' } };
  const value = kv.value.toString();
  try {
    const attrs = decodeLeaseAttrs(value);
    return { lease: { subnet, attrs, etcdLeaseId: String(kv.lease), modRevision: kv.mod_revision, value } };
  } catch (err) {
    return { skipped: { key, reason: (err as Error).message, subnet } };
  }
}

function toWatchChange(ev: IWatchResponse['events'][number]): WatchChange {
  const key = ev.kv.key.toString();
  if (ev.type === 'Delete') {
    const subnet = parseLeaseKey(key);
    return subnet ? { type: 'delete', key, subnet } : { type: 'delete', key };
  }
  const read = readLease(ev.kv);
  return 'lease' in read ? { type: 'put', key, lease: read.lease } : { type: 'put', key, skipped: read.skipped };
}
