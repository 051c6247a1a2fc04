import type { Logger } from 'pino';
import { runListWatch, type ListWatchStats } from './list-watch.js';
import type { NetworkChange, NetworkRegistry } from './network-registry.js';

/**
 * Keeps the set of network names complete (list, then a gap-free watch; re-listing emits only the
 * difference) and reports each change once: a network is added when it appears or its config is
 * rewritten, removed when its config key goes.
 */
export class NetworkWatcher {
  private readonly known = new Set<string>();
  readonly stats: ListWatchStats = { relists: 0, resumes: 0 };

  constructor(
    private readonly registry: Pick<NetworkRegistry, 'listNetworks' | 'watchNetworks'>,
    private readonly onChanges: (changes: NetworkChange[]) => void,
    private readonly log: Logger,
    private readonly retryMs = 1_000,
  ) {}

  names(): ReadonlySet<string> {
    return this.known;
  }

  run(signal: AbortSignal): Promise<void> {
    return runListWatch<NetworkChange>(
      {
        relist: async () => {
          const { names, revision } = await this.registry.listNetworks();
          const listed = new Set(names);
          const changes: NetworkChange[] = [
            ...[...listed].filter((n) => !this.known.has(n)).map((name) => ({ type: 'added' as const, name })),
            ...[...this.known].filter((n) => !listed.has(n)).map((name) => ({ type: 'removed' as const, name })),
          ];
          this.apply(changes);
          return revision;
        },
        watch: (from, handlers) => this.registry.watchNetworks(from, handlers),
        apply: (changes) => this.apply(changes),
      },
      { signal, log: this.log, retryMs: this.retryMs, what: 'networks', stats: this.stats },
    );
  }

  private apply(changes: NetworkChange[]): void {
    const reported = changes.filter((c) => (c.type === 'added' ? true : this.known.has(c.name)));
    for (const c of reported) {
      if (c.type === 'added') this.known.add(c.name);
      else this.known.delete(c.name);
    }
    if (reported.length > 0) this.onChanges(reported);
  }
}
