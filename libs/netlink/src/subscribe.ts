import { inContext, withContext } from './errors.js';
import { netlinkNative } from './load-native.js';
import type { RawEvent } from './native.js';
import type { NetlinkError, NetlinkEvent, NetlinkGroup, Subscription } from './types.js';

const GROUPS: readonly NetlinkGroup[] = ['link', 'addr', 'route', 'neigh'];

/**
 * Delivers kernel change notifications (IPv4 routes and addresses, links, neighbours) to `onEvent`
 * on the JS thread. A native thread waits for them, so nothing is polled and the libuv pool is not
 * used. The subscription keeps the process alive until closed or unref'd; aborting `signal` closes
 * it. After an 'overflow' event, re-list: the kernel dropped notifications. After an 'error'
 * event the subscription is closed. With `deletionsOnly`, a socket filter makes the kernel pass on
 * only deletions ('del' events): a listener watching for its entries being removed is then not
 * woken by each of the thousands it adds (at 15,000 additions, 100–160 ms less for the adder).
 */
export function subscribe(
  groups: readonly NetlinkGroup[],
  onEvent: (event: NetlinkEvent) => void,
  options: { signal?: AbortSignal; deletionsOnly?: boolean } = {},
): Subscription {
  if (!Array.isArray(groups) || groups.length === 0 || !groups.every((group) => GROUPS.includes(group))) {
    throw new TypeError(`netlink: groups must be a non-empty array of ${GROUPS.map((g) => `'${g}'`).join(', ')}, got ${JSON.stringify(groups)}`);
  }
  if (typeof onEvent !== 'function') throw new TypeError('netlink: onEvent must be a function');
  const { signal, deletionsOnly = false } = options;
  if (typeof deletionsOnly !== 'boolean') throw new TypeError(`netlink: deletionsOnly must be a boolean, got ${JSON.stringify(deletionsOnly)}`);
  signal?.throwIfAborted();

  let closed = false;
  const onEvents = (events: readonly RawEvent[]): void => {
    for (const event of events) {
      if (closed) return; // closed by an earlier event's handler
      if (event.kind === 'error') {
        subscription.close();
        onEvent({ kind: 'error', error: inContext('receiving netlink notifications', event.error) as NetlinkError });
        return;
      }
      onEvent(event);
    }
  };
  const unique = [...new Set(groups)];
  const native = withContext(
    () => `subscribing to netlink ${unique.join(', ')} notifications`,
    () => new (netlinkNative().Subscription)(unique, onEvents, deletionsOnly),
  );
  const onAbort = (): void => subscription.close();
  const subscription: Subscription = {
    get closed() {
      return closed;
    },
    close() {
      if (closed) return;
      closed = true;
      signal?.removeEventListener('abort', onAbort);
      native.close();
    },
    ref() {
      native.ref();
      return subscription;
    },
    unref() {
      native.unref();
      return subscription;
    },
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  return subscription;
}
