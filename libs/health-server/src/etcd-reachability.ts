/**
 * How long etcd has been unreachable: since the first of the failed requests in a row (watch
 * breaks included), until one succeeds. The daemon retries every failure, so a failure is always
 * followed by another request that settles it.
 */
export class EtcdReachability {
  private failingSince: number | undefined;

  constructor(private readonly now: () => number = () => performance.now()) {}

  record(ok: boolean): void {
    if (ok) this.failingSince = undefined;
    else this.failingSince ??= this.now();
  }

  /** 0 while the last request succeeded. */
  unreachableForMs(): number {
    return this.failingSince === undefined ? 0 : this.now() - this.failingSince;
  }
}
