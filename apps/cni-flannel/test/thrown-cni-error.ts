import { CniError } from '../src/cni-error.js';

/** For unit tests: the CniError `fn` throws (anything else, or no throw, fails the test). */
export function thrownCniError(fn: () => unknown): CniError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CniError) return error;
    throw error;
  }
  throw new Error('expected a CniError, but nothing was thrown');
}
