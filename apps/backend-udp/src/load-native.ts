import { loadAddon } from '@flannel-ts/native-addon';
import type { UdpDatapathNative } from './native.js';

/** Where the addon may live, in the order tried. */
export function nativeCandidates(): URL[] {
  return [
    // Copied beside the bundled binary in dist/apps/backend-udp/ (tools/build/bundle.mjs).
    new URL('./udp_datapath.node', import.meta.url),
    // The source tree, after `nx run backend-udp:build`.
    new URL('../build/Release/udp_datapath.node', import.meta.url),
  ];
}

let loaded: UdpDatapathNative | undefined;

/** The addon, loaded on first use (never at import); the error lists every path tried. */
export function udpDatapathNative(): UdpDatapathNative {
  loaded ??= loadAddon('backend-udp', nativeCandidates()) as UdpDatapathNative;
  return loaded;
}
