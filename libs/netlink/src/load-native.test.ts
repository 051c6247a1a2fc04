import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { loadNativeFrom, nativeCandidates } from './load-native.js';

describe('loading the addon', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netlink-load-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('looks beside the module first, then in the source build', () => {
    const [beside, built] = nativeCandidates().map((url) => url.pathname);
    expect(beside).toMatch(/\/libs\/netlink\/src\/netlink\.node$/);
    expect(built).toMatch(/\/libs\/netlink\/build\/Release\/netlink\.node$/);
  });

  test('falls through to the next candidate that loads', () => {
    const broken = join(dir, 'broken.node');
    writeFileSync(broken, 'not an ELF file');
    const working = join(dir, 'working.cjs');
    writeFileSync(working, 'module.exports = { marker: 42 };');
    expect(loadNativeFrom([pathToFileURL(join(dir, 'absent.node')), pathToFileURL(broken), pathToFileURL(working)])).toEqual({ marker: 42 });
  });

  test('lists every path tried, with its reason, when none loads', () => {
    const absent = join(dir, 'absent.node');
    const broken = join(dir, 'broken.node');
    writeFileSync(broken, 'not an ELF file');
    expect(() => loadNativeFrom([pathToFileURL(absent), pathToFileURL(broken)])).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(
          new RegExp(`^cannot load the netlink native addon .*\\n  ${absent}: not found\\n  ${broken}: .*(ELF|too short)`),
        ),
      }),
    );
  });
});
