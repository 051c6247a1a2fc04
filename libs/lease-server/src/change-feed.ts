import { encoderBody } from '@flannel-ts/lease-api';

/** One etcd watch response's changes, encoded once for every reader. */
interface Entry {
  readonly revision: bigint;
  /** What each event is about (a subnet key, a network name), for readers of one thing. */
  readonly keys: readonly string[];
  readonly json: readonly string[];
}

interface Waiter {
  readonly cursor: bigint;
  readonly key: string | undefined;
  readonly deliver: (body: string) => void;
}

/**
 * The recent changes of one watched thing, tagged with the etcd revision each brings a reader to,
 * and the readers long-polling for more. A reader's cursor older than the kept history gets a
 * snapshot (from the owner, which keeps the state); one at or past the newest change waits.
 * Replies are watch results: `{"events":[…],"snapshot":null,"cursor":"<revision>"}`.
 */
export class ChangeFeed {
  private readonly entries: Entry[] = [];
  /** Every change after `base` is in `entries`. */
  private base = 0n;
  private newest = 0n;
  private readonly waiters = new Set<Waiter>();

  constructor(
    private readonly historyLimit: number,
    /** The full state now, for `key` alone when given. */
    private readonly snapshot: (key: string | undefined) => string,
  ) {}

  get revision(): bigint {
    return this.newest;
  }

  get waiting(): number {
    return this.waiters.size;
  }

  /** The state was read at `revision`: history starts there. */
  start(revision: bigint): void {
    this.base = this.newest = revision;
  }

  /** One response's changes (already applied to the owner's state); wakes the readers they concern. */
  append(revision: bigint, keys: readonly string[], json: readonly string[]): void {
    this.entries.push({ revision, keys, json });
    this.newest = revision;
    while (this.entries.length > this.historyLimit) this.base = this.entries.shift()!.revision;
    for (const waiter of [...this.waiters]) {
      const body = this.replyTo(waiter.cursor, waiter.key);
      if (body !== undefined) waiter.deliver(body);
    }
  }

  /**
   * The reply to a reader at `cursor` (about `key` alone when given): the changes after it, waiting
   * for one when there are none yet. `onLeave` registers what to do when the reader goes away first
   * (returning how to unregister it); the reply is then undefined.
   */
  next(cursor: bigint, key: string | undefined, onLeave: (left: () => void) => () => void): Promise<string | undefined> {
    const now = this.replyTo(cursor, key);
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        cursor,
        key,
        deliver: (body) => {
          this.waiters.delete(waiter);
          unregister();
          resolve(body);
        },
      };
      const unregister = onLeave(() => {
        this.waiters.delete(waiter);
        resolve(undefined);
      });
      this.waiters.add(waiter);
    });
  }

  /** Ends every wait with an empty reply. */
  close(): void {
    for (const waiter of [...this.waiters]) waiter.deliver('');
  }

  private replyTo(cursor: bigint, key: string | undefined): string | undefined {
    if (cursor < this.base) return this.snapshot(key);
    let i = this.entries.length;
    while (i > 0 && this.entries[i - 1]!.revision > cursor) i--;
    const json: string[] = [];
    for (const entry of this.entries.slice(i)) {
      if (key === undefined) json.push(...entry.json);
      else entry.keys.forEach((k, n) => k === key && json.push(entry.json[n]!));
    }
    if (json.length === 0) return undefined;
    return encoderBody(`{"events":[${json.join(',')}],"snapshot":null,"cursor":"${this.newest}"}`);
  }
}
