import type { Logger } from '@flannel-ts/log';
import type { DatapathCounters } from './datapath.js';

export const COUNTERS_LOG_INTERVAL_MS = 10_000;

/**
 * At debug level (-v=1), logs the datapath counters that changed since the last line, every
 * `intervalMs`: a running picture of the packet loop for someone debugging it by hand.
 */
export function logCountersPeriodically(log: Logger, read: () => DatapathCounters | undefined, intervalMs = COUNTERS_LOG_INTERVAL_MS): () => void {
  let last: DatapathCounters = {};
  const timer = setInterval(() => {
    if (!log.isLevelEnabled('debug')) return;
    const now = read();
    if (now === undefined) return;
    const changed = Object.fromEntries(Object.entries(now).filter(([name, value]) => value !== (last[name] ?? 0)));
    last = now;
    if (Object.keys(changed).length > 0) log.debug({ counters: changed }, 'datapath counters');
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
