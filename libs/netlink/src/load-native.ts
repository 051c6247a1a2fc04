import { lazyAddon } from '@flannel-ts/native-addon';
import type { NetlinkNative } from './native.js';

/** The addon, loaded on first use (never at import); beside a bundle in dist/apps/<app>/, or the source build. */
export const netlinkNative = lazyAddon<NetlinkNative>('netlink', 'netlink.node', import.meta.url);
