import type { Etcd3, IKeyValue, IWatchResponse, Watcher } from 'etcd3';
import type { IP4Net } from '@flannel-ts/ip';
import { etcdClientOptions, type EtcdConnectOptions } from './etcd-options.js';
import { configKey, leaseKey, parseLeaseKey, subnetsPrefix } from './keys.js';
import type { Lease, LeaseAttrs } from './lease.js';
import { decodeLeaseAttrs, encodeLeaseAttrs } from './lease-json.js';
import type { LeaseListing, LeaseRegistry, SkippedKey, WatchChange, WatchHandle, WatchHandlers } from './lease-registry.js';
import { RetryableError } from '@flannel-ts/retry';

type Etcd3Module = typeof import('etcd3');

const CALL_TIMEOUT_MS = 5_000;

/** The etcd v3 lease registry: the only module that talks to etcd. */
export class EtcdLeaseRegistry implements LeaseRegistry {
  private constructor(
    private readonly lib: Etcd3Module,
    private readonly client: Etcd3,
    readonly prefix: string,
  ) {}

  static async connect(options: EtcdConnectOptions & { prefix: string }): Promise<EtcdLeaseRegistry> {
    // Loaded on demand: etcd3 and gRPC are the largest part of start-up.
    const [lib, clientOptions] = await Promise.all([import('etcd3'), etcdClientOptions(options)]);
    return new EtcdLeaseRegistry(lib, new lib.Etcd3(clientOptions), options.prefix);
  }

  async getConfig(): Promise<string | undefined> {
    const res = await this.store('reading the network config', () =>
      this.client.kv.range({ key: Buffer.from(configKey(this.prefix)) }, callOptions()),
    );
    return res.kvs[0]?.value.toString();
  }

  async listLeases(): Promise<LeaseListing> {
    const prefix = subnetsPrefix(this.prefix);
    const res = await this.store('listing leases', () =>
      this.client.kv.range({ key: Buffer.from(prefix), range_end: prefixEnd(Buffer.from(prefix)) }, callOptions()),
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

  /** Grants an etcd lease of `ttlSeconds`; undefined when the key was taken first. */
  async createLease(subnet: IP4Net, attrs: LeaseAttrs, ttlSeconds: number): Promise<Lease | undefined> {
    const leaseId = await this.grant(ttlSeconds);
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
   * without TTL; a lease gets a fresh etcd lease and the old one is revoked, so none leak.
   */
  async replaceLease(existing: Lease, attrs: LeaseAttrs, ttlSeconds: number): Promise<Lease | undefined> {
    const cmp = { target: 'Mod' as const, mod_revision: existing.modRevision };
    if (existing.etcdLeaseId === '0') return this.putIf(existing.subnet, attrs, '0', cmp);
    const leaseId = await this.grant(ttlSeconds);
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

  /** Deletes `existing` if unchanged since it was read. */
  async deleteLease(existing: Lease): Promise<boolean> {
    const key = Buffer.from(leaseKey(this.prefix, existing.subnet));
    const res = await this.store('deleting a lease', () =>
      this.client.kv.txn(
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

  /** Refreshes an etcd lease; resolves to its remaining TTL in seconds, 0 when it no longer exists. */
  async keepAlive(leaseId: string): Promise<number> {
    return this.store('renewing a lease', () => this.keepAliveOnce(leaseId));
  }

  private async keepAliveOnce(leaseId: string): Promise<number> {
    const stream = await this.client.leaseClient.leaseKeepAlive(callOptions());
    try {
      const res = await new Promise<{ TTL: string }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new RetryableError('lease keepalive timed out')), CALL_TIMEOUT_MS);
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

  /** Watches every lease key from `fromRevision` on. */
  async watchLeases(fromRevision: string, handlers: WatchHandlers): Promise<WatchHandle> {
    const watcher: Watcher = this.client
      .watch()
      .prefix(subnetsPrefix(this.prefix))
      .startRevision(fromRevision)
      .watcher();
    let stopped = false;
    const stop = (err: Error, resumable: boolean) => {
      if (stopped) return;
      stopped = true;
      void watcher.cancel().catch(() => undefined);
      handlers.onStopped(err, resumable);
    };
    watcher.on('data', (res: IWatchResponse) => {
      if (stopped || res.events.length === 0) return;
      const changes = res.events.map(toWatchChange);
      handlers.onChanges(changes, res.events[res.events.length - 1]!.kv.mod_revision);
    });
    watcher.on('disconnected', (err: Error) => stop(err, true));
    // etcd 3.4 cancels a watch on compacted history with an empty reason: any cancel means re-list.
    watcher.on('error', (err: Error) => stop(err, false));
    return {
      cancel: async () => {
        stopped = true;
        await watcher.cancel().catch(() => undefined);
      },
    };
  }

  close(): void {
    this.client.close();
  }

  private async grant(ttlSeconds: number): Promise<string> {
    const res = await this.store('granting a lease', () => this.client.leaseClient.leaseGrant({ TTL: ttlSeconds, ID: 0 }, callOptions()));
    return res.ID;
  }

  private async revoke(leaseId: string): Promise<void> {
    await this.store('revoking a lease', () => this.client.leaseClient.leaseRevoke({ ID: leaseId }, callOptions()));
  }

  /** Runs one etcd call; failures of etcd or the network become RetryableErrors saying what failed. */
  private async store<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw this.isEtcdFailure(err) ? new RetryableError(`etcd: ${what}: ${(err as Error).message}`, { cause: err }) : err;
    }
  }

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
    // Raw gRPC status errors (a keepalive stream's) carry a numeric code and metadata.
    const grpcStatus = typeof (err as { code?: unknown })?.code === 'number' && (err as { metadata?: unknown }).metadata !== undefined;
    return err instanceof RetryableError || etcdClasses.some((c) => err instanceof c) || grpcStatus || typeof (err as NodeJS.ErrnoException)?.code === 'string';
  }

  private async putIf(
    subnet: IP4Net,
    attrs: LeaseAttrs,
    leaseId: string,
    cmp: { target: 'Version'; version: number } | { target: 'Mod'; mod_revision: string },
  ): Promise<Lease | undefined> {
    const key = Buffer.from(leaseKey(this.prefix, subnet));
    const value = encodeLeaseAttrs(attrs);
    const res = await this.store('writing a lease', () =>
      this.client.kv.txn(
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
