import { setTimeout as sleep } from 'node:timers/promises';
import { errorText, isRetryable } from '@flannel-ts/retry';
import { ResyncError, type WatchHandle } from '@flannel-ts/subnet';
import { ServerUnreachableError } from './server-errors.js';
import type { ServerTransport } from './server-transport.js';

/** Between probes of a server that is away: doubling to 5 s. */
const PROBE_MAX_MS = 5_000;

export interface WatchLoopOptions<C> {
  readonly transport: ServerTransport;
  /** The watch request's path for a cursor. */
  path(cursor: string): string;
  /** The first revision wanted: the long-poll asks for what follows `fromRevision - 1`. */
  readonly fromRevision: string;
  readonly handlers: {
    onStarted?(): void;
    onChanges(changes: C[], revision: string): void;
    onStopped(err: Error, resumable: boolean): void;
  };
  /** The changes and cursor of one reply (`snapshot`: the server answered the full state instead). */
  decode(url: string, value: unknown): { changes: C[]; cursor: string; snapshot: boolean };
  /** A quick request that succeeds once the server answers properly again. */
  probe(signal: AbortSignal): Promise<unknown>;
  /** Shared by the successive watches of one manager, so repeated trouble is met with growing pauses. */
  readonly trouble: TroubleBackoff;
}

/** The pause before re-listing after a bad answer: 0.25 s, doubling to 30 s while the same trouble repeats. */
export class TroubleBackoff {
  private last: string | undefined;
  private delayMs = 0;

  next(trouble: string): number {
    this.delayMs = trouble === this.last ? Math.min(this.delayMs * 2, 30_000) : 250;
    this.last = trouble;
    return this.delayMs;
  }

  /** A watch reply with events came: the trouble is over. */
  clear(): void {
    this.last = undefined;
  }
}

/**
 * A long-poll watch (`?next=<cursor>`), one reply after the other, each carrying one or more events.
 * It never resumes across trouble: when the server was away or answered badly, it waits (probing
 * with backoff, quietly: the transport says once that the server is away and once that it is back)
 * until the server answers, then stops with a ResyncError so its watcher re-lists and applies only
 * the difference. A reply with a snapshot (our cursor was too old for the server) stops it the same way.
 */
export function watchLoop<C>(o: WatchLoopOptions<C>): WatchHandle {
  const stop = new AbortController();
  const { signal } = stop;
  const done = (async () => {
    let next = (BigInt(o.fromRevision) - 1n).toString();
    let started = false;
    while (!signal.aborted) {
      let reply: { changes: C[]; cursor: string; snapshot: boolean };
      try {
        const { url, value } = await o.transport.json('GET', o.path(next), { signal, timeoutMs: false });
        reply = o.decode(url, value);
      } catch (err) {
        if (signal.aborted) return;
        if (!isRetryable(err)) return o.handlers.onStopped(err as Error, false);
        // A server that was away is back when it answers; one that answered badly may do so again.
        const pauseMs = err instanceof ServerUnreachableError ? 250 : o.trouble.next(troubleKind(err));
        if (!(await waitUntilAnswering(o.probe, pauseMs, signal))) return;
        const watched = o.transport.urlOf(o.path(next)).replace(/\?.*/, '');
        return o.handlers.onStopped(new ResyncError(`Watch of ${watched} interrupted (${errorText(err)})`, { cause: err }), false);
      }
      if (reply.snapshot) {
        return o.handlers.onStopped(new ResyncError(`The flannel server answered a snapshot: revision ${next} is too old for it`), false);
      }
      if (!started) {
        started = true;
        o.handlers.onStarted?.();
      }
      next = reply.cursor;
      o.trouble.clear();
      if (reply.changes.length > 0) o.handlers.onChanges(reply.changes, reply.cursor);
    }
  })();
  return {
    cancel: async () => {
      stop.abort();
      await done;
    },
  };
}

/** Probes until the server answers (true) or `signal` aborts (false). */
async function waitUntilAnswering(probe: (signal: AbortSignal) => Promise<unknown>, firstDelayMs: number, signal: AbortSignal): Promise<boolean> {
  let delayMs = firstDelayMs;
  for (;;) {
    try {
      await sleep(delayMs, undefined, { signal });
      await probe(signal);
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      if (!isRetryable(err)) throw err;
      delayMs = Math.max(delayMs, Math.min(delayMs * 2, PROBE_MAX_MS));
    }
  }
}

/** What kind of trouble an error is, without the URL and cursor that change from one watch to the next. */
function troubleKind(err: unknown): string {
  return `${(err as Error).name}: ${errorText(err).replace(/https?:\/\/\S+/g, '')}`;
}
