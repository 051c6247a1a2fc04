import { lazyAddon } from '@flannel-ts/native-addon';
import type { SysNative } from './native.js';

/** The addon, loaded on first use (never at import); beside a bundle in dist/apps/<app>/, or the source build. */
export const sysNative = lazyAddon<SysNative>('sys', 'sys.node', import.meta.url);
