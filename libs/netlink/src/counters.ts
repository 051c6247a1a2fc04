import { netlinkNative } from './load-native.js';

/**
 * How many listings this process repeated because the kernel flagged a dump interrupted by a
 * concurrent change (worth a debug log line; a steady climb means a busy table).
 */
export function interruptedDumpRetries(): number {
  return netlinkNative().dumpRetries();
}
