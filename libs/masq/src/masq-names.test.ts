import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ETCD_PREFIX, masqNames } from './masq-names.js';

describe('masqNames', () => {
  it("keeps Go flanneld's names for the default prefix", () => {
    expect(masqNames(DEFAULT_ETCD_PREFIX)).toEqual({
      postroutingChain: 'FLANNEL-POSTRTG',
      forwardChain: 'FLANNEL-FWD',
      nftTable: 'flannel',
    });
  });

  it('suffixes the first 8 hex digits of sha256(prefix) for any other prefix', () => {
    expect(masqNames('/example.org/network')).toEqual({
      postroutingChain: 'FLANNEL-POSTRTG-ae9b0b6d',
      forwardChain: 'FLANNEL-FWD-ae9b0b6d',
      nftTable: 'flannel_ae9b0b6d',
    });
  });

  it('gives different prefixes different names, within the 28-character iptables chain limit', () => {
    const prefixes = ['/coreos.com/network/', '/a', '/b', '/kube/flannel/tenant-with-a-long-name'];
    const names = prefixes.map((prefix) => masqNames(prefix));
    expect(new Set(names.map((n) => n.postroutingChain)).size).toBe(prefixes.length);
    for (const [i, n] of names.entries()) {
      const tag = createHash('sha256').update(prefixes[i]!).digest('hex').slice(0, 8);
      expect(n.forwardChain).toBe(`FLANNEL-FWD-${tag}`);
      expect(n.postroutingChain.length).toBeLessThanOrEqual(28);
    }
  });
});
