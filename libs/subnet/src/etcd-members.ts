import { RetryableError } from '@flannel-ts/retry';

/** One etcd member (an endpoint) and the client that talks to it alone. */
export interface EtcdMember<C> {
  readonly endpoint: string;
  readonly client: C;
}

/** A member that did not answer in time: blamed like a network fault (and retried like one). */
export class SilentMemberError extends RetryableError {}

/**
 * The etcd members a daemon may use and the one it uses now. Every call and every new watch go to
 * the current member. A failure that blames the member (unreachable, or silent past a deadline)
 * moves the next calls to the next member in the list and ends everything still running on the
 * failed one: its client is closed (a fresh one waits for the member's next turn) and whoever asked
 * (the watch) is told. So a daemon holds connections to one member only, and comes back to a member
 * after the others failed too. Errors are passed on naming the member, and where the calls go next
 * when that changed.
 */
export class EtcdMembers<C extends { close(): void }> {
  private readonly members: EtcdMember<C>[];
  private current: number;
  private readonly listeners = new Map<EtcdMember<C>, Set<(err: Error) => void>>();

  constructor(
    endpoints: readonly string[],
    private readonly connect: (endpoint: string) => C,
    /** Whether an error is the member's fault (unreachable, connection lost). */
    private readonly isFault: (err: Error) => boolean,
    /** Where to start; by default a random member, so daemons spread over the cluster. */
    first = Math.floor(Math.random() * endpoints.length),
    /** The text of a failure in the error passed on (after the member's endpoint). */
    private readonly explain: (err: Error) => string = (err) => err.message,
  ) {
    if (endpoints.length === 0) throw new Error('no etcd member to talk to');
    this.members = endpoints.map((endpoint) => ({ endpoint, client: connect(endpoint) }));
    this.current = first % endpoints.length;
  }

  /** The member calls go to now. */
  get now(): EtcdMember<C> {
    return this.members[this.current]!;
  }

  /** Runs `call` on the current member; its failure goes through `failed`. */
  async call<T>(call: (client: C) => Promise<T>): Promise<T> {
    const member = this.now;
    try {
      return await call(member.client);
    } catch (err) {
      throw this.failed(member, err as Error);
    }
  }

  /**
   * Reports that something on `member` failed with `err`, which blames the member when it is its
   * fault (or when `blame` says so). Returns the error to pass on: `err`, with the member named.
   */
  failed(member: EtcdMember<C>, err: Error, blame = err instanceof SilentMemberError || this.isFault(err)): Error {
    const index = this.members.indexOf(member);
    // index < 0: the member was left already, this is one more call that was running on it.
    const moving = blame && index >= 0 && index === this.current && this.members.length > 1;
    if (moving) this.current = (index + 1) % this.members.length;
    // The explained text replaces the raw one, so that "error: cause" texts do not say it twice.
    err.message = this.explain(err);
    const named = new Error(`etcd ${member.endpoint}: ${err.message}${moving ? `; using ${this.now.endpoint} from now on` : ''}`, {
      cause: err,
    });
    if (blame && index >= 0) this.leave(index, named);
    return named;
  }

  /** Calls `listener` once, when `member` is left after a failure; returns the function that stops that. */
  onLeft(member: EtcdMember<C>, listener: (err: Error) => void): () => void {
    const set = this.listeners.get(member) ?? new Set();
    this.listeners.set(member, set);
    set.add(listener);
    return () => set.delete(listener);
  }

  close(): void {
    for (const m of this.members) m.client.close();
  }

  private leave(index: number, err: Error): void {
    const left = this.members[index]!;
    this.members[index] = { endpoint: left.endpoint, client: this.connect(left.endpoint) };
    const listeners = this.listeners.get(left) ?? [];
    this.listeners.delete(left);
    for (const listener of listeners) listener(err);
    left.client.close();
  }
}
