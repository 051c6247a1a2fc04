import type { Logger } from 'pino';
import { encodeEvent, encodeNetworkWatchResult, encoderBody, ZERO_LEASE } from '@flannel-ts/lease-api';
import { runListWatch, type NetworkChange, type NetworkRegistry } from '@flannel-ts/subnet';
import { ChangeFeed } from './change-feed.js';

/**
 * The network list of `GET /v1/` for every reader: one list-then-watch of the networks under the
 * prefix (one etcd watch) feeding the names and a ChangeFeed of networks added (also when their
 * config is rewritten, as flannel v0.5 reports it) and removed.
 */
export class NetworkHub {
  private readonly names = new Set<string>();
  private readonly feed: ChangeFeed;
  private started = false;
  private readonly ready: Promise<void>;
  private markReady!: () => void;
  private failure: Error | undefined;
  /** The revision of the watch response being applied. */
  private responseRevision = 0n;
  private readonly stop = new AbortController();

  constructor(registry: NetworkRegistry, log: Logger, historyLimit: number) {
    this.feed = new ChangeFeed(historyLimit, () => this.snapshot());
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    runListWatch<NetworkChange>(
      {
        relist: async () => {
          const { names, revision } = await registry.listNetworks();
          const listed = new Set(names);
          if (!this.started) {
            names.forEach((n) => this.names.add(n));
            this.feed.start(BigInt(revision));
            this.started = true;
            this.markReady();
          } else {
            this.responseRevision = BigInt(revision);
            this.apply([
              ...names.filter((n) => !this.names.has(n)).map((name) => ({ type: 'added' as const, name })),
              ...[...this.names].filter((n) => !listed.has(n)).map((name) => ({ type: 'removed' as const, name })),
            ]);
          }
          return revision;
        },
        watch: (from, handlers) =>
          registry.watchNetworks(from, {
            ...handlers,
            onChanges: (changes, revision) => {
              this.responseRevision = BigInt(revision);
              handlers.onChanges(changes, revision);
            },
          }),
        apply: (changes) => this.apply(changes),
      },
      { signal: this.stop.signal, log, retryMs: 1_000, what: 'networks', stats: { relists: 0, resumes: 0 } },
    ).catch((err: Error) => {
      this.failure = new Error(`watching the networks under ${registry.prefix} failed: ${err.message}`, { cause: err });
      log.error(this.failure.message);
      this.markReady();
    });
  }

  /** A snapshot of the names without cursor; else the changes after it (see ChangeFeed.next). */
  async watch(cursor: bigint | undefined, onLeave: (left: () => void) => () => void): Promise<string | undefined> {
    await this.ready;
    if (this.failure) throw this.failure;
    return cursor === undefined ? this.snapshot() : this.feed.next(cursor, undefined, onLeave);
  }

  get waiting(): number {
    return this.feed.waiting;
  }

  close(): void {
    this.stop.abort();
    this.feed.close();
  }

  private apply(changes: NetworkChange[]): void {
    const reported = changes.filter((c) => c.type === 'added' || this.names.has(c.name));
    if (reported.length === 0) return;
    for (const c of reported) {
      if (c.type === 'added') this.names.add(c.name);
      else this.names.delete(c.name);
    }
    const json = reported.map((c) => encodeEvent({ type: c.type, lease: ZERO_LEASE, network: c.name }));
    this.feed.append(this.responseRevision, reported.map((c) => c.name), json);
  }

  private snapshot(): string {
    return encoderBody(encodeNetworkWatchResult({ events: null, snapshot: [...this.names].sort(), cursor: String(this.feed.revision) }));
  }
}
