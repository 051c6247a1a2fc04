// Names for error messages ("dev eth0"), looked up only once something has failed.
import { netlinkNative } from './load-native.js';

/** "eth0", or "#7" when the link cannot be named (gone, or never existed). */
export function nameOfLink(index: number): string {
  try {
    return netlinkNative().getLink(index, '').name;
  } catch {
    return `#${index}`;
  }
}
