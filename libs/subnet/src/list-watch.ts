import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { errorText, isRetryable } from '@flannel-ts/retry';
import { ResyncError, type WatchHandle } from './lease-registry.js';

export interface ListWatchStats {
  /** Full listings done (the first one included). */
  relists: number;
  /** Watches resumed from the last applied revision after a disconnect. */
  resumes: number;
}

interface ChangeHandlers<C> {
  onStarted?(): void;
  onChanges(changes: C[], revision: string): void;
  onStopped(err: Error, resumable: boolean): void;
}

/** One kind of thing kept complete by listing it once and then watching it. */
export interface ListWatchSource<C> {
  /** Lists everything, applies the difference to the view, resolves to the listing's revision. */
  relist(): Promise<string>;
  watch(fromRevision: string, handlers: ChangeHandlers<C>): Promise<WatchHandle>;
  /** Applies the changes of one watch response to the view; `revision` is the one the view reaches with them. */
  apply(changes: C[], revision: string): void;
}

/**
 * Keeps a view complete until `signal` aborts: one listing, then one long-lived watch from the
 * listing's revision + 1. A disconnect resumes at the last applied revision + 1; a watch the store
 * cancelled (compaction) or any watch error re-lists.
 */
export async function runListWatch<C>(
  source: ListWatchSource<C>,
  o: { readonly signal: AbortSignal; readonly log: Logger; readonly retryMs: number; readonly what: string; readonly stats: ListWatchStats },
): Promise<void> {
  const { signal, log } = o;
  let cursor: string | undefined;
  let backoffMs = 100;
  while (!signal.aborted) {
    try {
      if (cursor === undefined) {
        cursor = await source.relist();
        o.stats.relists++;
      } else o.stats.resumes++;
      if (signal.aborted) return;
      // A watch the store accepted ran fine: its end is a fresh fault, retried at once (on another member).
      const outcome = await watchUntilStopped(source, cursor, signal, (rev) => (cursor = rev), () => (backoffMs = 100));
      if (outcome === 'aborted') return;
      if (!outcome.resumable) {
        if (outcome.err instanceof ResyncError) log.info(`${outcome.err.message}; re-listing ${o.what}`);
        else log.warn(`Watch of ${o.what} was cancelled by the store (compacted history?); re-listing: ${outcome.err.message}`);
        cursor = undefined;
        backoffMs = 100;
        continue;
      }
      log.warn(`Watch ${o.what}: ${outcome.err.message}`);
    } catch (err) {
      if (!isRetryable(err)) throw err;
      log.warn(`Watch ${o.what}: ${errorText(err)}`);
    }
    await sleep(backoffMs, undefined, { signal }).catch(() => undefined);
    backoffMs = Math.min(backoffMs * 2, o.retryMs);
  }
}

function watchUntilStopped<C>(
  source: ListWatchSource<C>,
  cursor: string,
  signal: AbortSignal,
  advance: (revision: string) => void,
  started: () => void,
): Promise<'aborted' | { err: Error; resumable: boolean }> {
  return new Promise((resolve) => {
    const onAbort = () => {
      void handle.then((h) => h.cancel());
      resolve('aborted');
    };
    const handle = source.watch((BigInt(cursor) + 1n).toString(), {
      onStarted: started,
      onChanges: (changes, revision) => {
        if (signal.aborted) return;
        source.apply(changes, revision);
        advance(revision);
      },
      onStopped: (err, resumable) => {
        signal.removeEventListener('abort', onAbort);
        resolve({ err, resumable });
      },
    });
    handle.catch((err: Error) => {
      signal.removeEventListener('abort', onAbort);
      resolve({ err, resumable: false });
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
