import { describe, expect, test } from 'vitest';
import { nativeCandidates } from './load-native.js';

describe('loading the addon', () => {
  test('looks beside the module first, then in the source build', () => {
    const [beside, built] = nativeCandidates().map((url) => url.pathname);
    expect(beside).toMatch(/\/libs\/sys\/src\/sys\.node$/);
    expect(built).toMatch(/\/libs\/sys\/build\/Release\/sys\.node$/);
  });
});
