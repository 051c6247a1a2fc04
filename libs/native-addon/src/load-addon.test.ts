import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { addonCandidates, loadAddon } from './index.js';

describe('loading an addon', () => {
  const dir = mkdtempSync(join(tmpdir(), 'addon-load-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('falls through to the next candidate that loads', () => {
    const broken = join(dir, 'broken.node');
    writeFileSync(broken, 'not an ELF file');
    const working = join(dir, 'working.cjs');
    writeFileSync(working, 'module.exports = { marker: 42 };');
    expect(loadAddon('demo', [pathToFileURL(join(dir, 'absent.node')), pathToFileURL(broken), pathToFileURL(working)])).toEqual({ marker: 42 });
  });

  test('lists every path tried, with its reason, when none loads', () => {
    const absent = join(dir, 'absent.node');
    const broken = join(dir, 'broken.node');
    writeFileSync(broken, 'not an ELF file');
    expect(() => loadAddon('demo', [pathToFileURL(absent), pathToFileURL(broken)])).toThrow(
      new RegExp(`cannot load the demo native addon \\(build it with "npx nx run demo:build"\\); tried:\\n  ${absent}: not found\\n  ${broken}: .*(ELF|too short)`),
    );
  });

  test('an addon is looked for beside the calling module first, one level up, then in its project\'s build', () => {
    const base = 'file:///repo/libs/netlink/src/load-native.ts';
    expect(addonCandidates('netlink.node', base).map((url) => url.pathname)).toEqual([
      '/repo/libs/netlink/src/netlink.node',
      '/repo/libs/netlink/netlink.node',
      '/repo/libs/netlink/build/Release/netlink.node',
    ]);
  });

  test('a bundle chunk finds the addon beside its entry point', () => {
    const base = 'file:///usr/lib/flannel-ts/supervisor/chunks/lib-X.mjs';
    expect(addonCandidates('sys.node', base).map((url) => url.pathname)).toContain('/usr/lib/flannel-ts/supervisor/sys.node');
  });
});
