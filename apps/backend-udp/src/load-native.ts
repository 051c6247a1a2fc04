import { lazyAddon } from '@flannel-ts/native-addon';
import type { UdpDatapathNative } from './native.js';

/** The addon, loaded on first use (never at import); beside the bundle in dist/apps/backend-udp/, or the source build. */
export const udpDatapathNative = lazyAddon<UdpDatapathNative>('backend-udp', 'udp_datapath.node', import.meta.url);
