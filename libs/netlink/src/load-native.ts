import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
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

/** Loads the first candidate that works; otherwise throws one error listing every path and why it failed. */
export function loadNativeFrom(candidates: readonly URL[]): unknown {
  const require = createRequire(import.meta.url);
  const failures: string[] = [];
  for (const candidate of candidates) {
    const path = fileURLToPath(candidate);
    if (!existsSync(path)) {
      failures.push(`${path}: not found`);
      continue;
    }
    try {
      return require(path);
    } catch (error) {
      failures.push(`${path}: ${firstLine(error)}`);
    }
  }
  throw new Error(
    `cannot load the netlink native addon (build it with "npx nx run netlink:build"); tried:\n  ${failures.join('\n  ')}`,
  );
}

let loaded: NetlinkNative | undefined;

/** The addon, loaded on first use (never at import). */
export function netlinkNative(): NetlinkNative {
  loaded ??= loadNativeFrom(nativeCandidates()) as NetlinkNative;
  return loaded;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n', 1)[0] ?? text;
}
