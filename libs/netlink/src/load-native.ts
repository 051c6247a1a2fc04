import { loadAddon } from '@flannel-ts/native-addon';
import type { NetlinkNative } from './native.js';

/** Where the addon may live, in the order tried. */
export function nativeCandidates(): URL[] {
  return [
    // Copied beside the bundled binary in dist/apps/<app>/.
    new URL('./netlink.node', import.meta.url),
    // The source tree, after `nx run netlink:build`.
    new URL('../build/Release/netlink.node', import.meta.url),
  ];
}

let loaded: NetlinkNative | undefined;

/** The addon, loaded on first use (never at import). */
export function netlinkNative(): NetlinkNative {
  loaded ??= loadAddon('netlink', nativeCandidates()) as NetlinkNative;
  return loaded;
}
