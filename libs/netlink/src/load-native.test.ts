import { describe, expect, test } from 'vitest';
import { nativeCandidates } from './load-native.js';

describe('loading the addon', () => {
  test('looks beside the module first, then in the source build', () => {
    const [beside, built] = nativeCandidates().map((url) => url.pathname);
    expect(beside).toMatch(/\/libs\/netlink\/src\/netlink\.node$/);
    expect(built).toMatch(/\/libs\/netlink\/build\/Release\/netlink\.node$/);
  });
});
