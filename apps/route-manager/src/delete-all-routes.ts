import type { CloudRouteTable } from '@flannel-ts/cloud-routes';
import { errorText, isRetryable, retrying } from '@flannel-ts/retry';

export interface DeleteAllOptions {
  readonly log: { info(message: string): void; error(message: string): void };
  readonly signal: AbortSignal;
  /** Tries per cloud call before giving up on it. */
  readonly attempts?: number;
  readonly firstRetryMs?: number;
}

/**
 * -delete-all-routes: deletes every route the manager owns in `table` (and nothing else, since the
 * table lists only those). A refused call is retried a few times with backoff; resolves to false
 * when some route could not be listed or deleted.
 */
export async function deleteAllRoutes(table: CloudRouteTable, o: DeleteAllOptions): Promise<boolean> {
  const tryHard = <T>(what: string, call: () => Promise<T>) => boundedRetry(what, call, o);
  o.log.info('deleting all routes');
  let routes;
  try {
    routes = await tryHard(`Listing the routes of ${table.description}`, () => table.list());
  } catch (error) {
    o.log.error(`listing the routes of ${table.description} failed: ${errorText(error)}`);
    return false;
  }
  let ok = true;
  for (const route of routes) {
    try {
      await tryHard(`Deleting ${route.name}`, () => table.delete(route));
      o.log.info(`deleted: ${route.name}`);
    } catch (error) {
      if (o.signal.aborted) throw error;
      o.log.error(`deleting ${route.name} failed: ${errorText(error)}`);
      ok = false;
    }
  }
  return ok;
}

/** retrying(), giving up after `attempts` tries: the last failure is rethrown as final. */
export async function boundedRetry<T>(failure: string, call: () => Promise<T>, o: DeleteAllOptions): Promise<T> {
  const attempts = o.attempts ?? 5;
  let tries = 0;
  return retrying(
    async () => {
      try {
        return await call();
      } catch (error) {
        if (++tries >= attempts && isRetryable(error)) throw new GaveUp(`gave up after ${tries} tries: ${errorText(error)}`);
        throw error;
      }
    },
    { failure, log: o.log, signal: o.signal, firstDelayMs: o.firstRetryMs ?? 1_000, maxDelayMs: 8_000 },
  );
}

/** Not retryable on purpose: no cause, so the retry policy sees a final failure. */
export class GaveUp extends Error {
  override readonly name = 'GaveUp';
}
