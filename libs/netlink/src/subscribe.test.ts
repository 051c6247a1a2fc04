// Only argument checks: they fail before the addon is loaded. Real subscriptions are tested in a
// network namespace (test/subscribe.test.ts).
import { describe, expect, test } from 'vitest';
import { subscribe, type NetlinkGroup } from './index.js';

describe('subscribe arguments', () => {
  test('groups must be a non-empty list of known names', () => {
    expect(() => subscribe([], () => {})).toThrow(expect.objectContaining({ name: 'TypeError', message: expect.stringContaining('non-empty array') }));
    expect(() => subscribe(['routes' as NetlinkGroup], () => {})).toThrow(/got \["routes"\]/);
  });

  test('an aborted signal throws its reason instead of subscribing', () => {
    const controller = new AbortController();
    controller.abort(new Error('stopped'));
    expect(() => subscribe(['route'], () => {}, { signal: controller.signal })).toThrow('stopped');
  });
});
