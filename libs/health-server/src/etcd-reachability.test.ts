import { describe, expect, it } from 'vitest';
import { EtcdReachability } from './etcd-reachability.js';

describe('EtcdReachability', () => {
  it('counts from the first failure in a row until a success', () => {
    let now = 1_000;
    const r = new EtcdReachability(() => now);
    expect(r.unreachableForMs()).toBe(0);
    r.record(false);
    now += 500;
    r.record(false);
    now += 1_500;
    expect(r.unreachableForMs()).toBe(2_000);
    r.record(true);
    expect(r.unreachableForMs()).toBe(0);
    r.record(false);
    now += 10;
    expect(r.unreachableForMs()).toBe(10);
  });
});
