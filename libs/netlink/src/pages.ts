import { netlinkNative } from './load-native.js';
import type { RawDump } from './native.js';

/** Records handed from the addon per page: small enough that a page's objects die young. */
const PAGE_SIZE = 256;

/**
 * A dump's records a page at a time. A caller keeping few of thousands of entries (a reconciler
 * comparing them to what it holds) then never has every one alive at once: V8 collects the dropped
 * ones young instead of promoting the whole listing to its old generation.
 */
export function* inPages<T>(dump: RawDump<T>): Generator<T, void, undefined> {
  const native = netlinkNative();
  for (let page = native.nextPage(dump, PAGE_SIZE); page.length > 0; page = native.nextPage(dump, PAGE_SIZE)) yield* page;
}
