import { sysNative } from './load-native.js';

/**
 * Gives back what a burst of work left behind: V8 collects all garbage, compacts and returns the
 * freed pages to the OS, and malloc returns its free memory. A full collection pauses the process
 * (~10 ms for a 5 MiB heap, ~45 ms for 16 MiB), so it belongs after a burst, not on every event.
 */
export function releaseMemory(): void {
  sysNative().lowMemory();
}

let pending: NodeJS.Timeout | undefined;

/**
 * releaseMemory `delayMs` from now, so that what the burst set off is handled first (the kernel's
 * notifications of a pass's own changes come after it); one call pending at a time.
 */
export function releaseMemorySoon(delayMs = 1_000): void {
  pending ??= setTimeout(() => {
    pending = undefined;
    releaseMemory();
  }, delayMs).unref();
}
