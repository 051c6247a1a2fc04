import { loadAddon } from '@flannel-ts/native-addon';
import type { SysNative } from './native.js';

/** Where the addon may live, in the order tried. */
export function nativeCandidates(): URL[] {
  return [
    // Copied beside the bundled binary in dist/apps/<app>/ (tools/build/bundle.mjs).
    new URL('./sys.node', import.meta.url),
    // The source tree, after `nx run sys:build`.
    new URL('../build/Release/sys.node', import.meta.url),
  ];
}

let loaded: SysNative | undefined;

/** The addon, loaded on first use (never at import). */
export function sysNative(): SysNative {
  loaded ??= loadAddon('sys', nativeCandidates()) as SysNative;
  return loaded;
}
