import { parseIP4Net } from '@flannel-ts/ip';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ETCD_PREFIX, masqNames } from './masq-names.js';
import { renderNft, renderNftRemoval, renderNftTable } from './render-nft.js';

const network = parseIP4Net('10.244.0.0/16');
const subnet = parseIP4Net('10.244.7.0/24');

describe('renderNft', () => {
  it("replaces the default table with Go flanneld's rules in one transaction", () => {
    const script = renderNft({ names: masqNames(DEFAULT_ETCD_PREFIX), masq: { network, subnet, randomFully: true }, forward: { network } });
    expect(script).toBe(`table ip flannel
delete table ip flannel
table ip flannel {
\tchain postrouting {
\t\ttype nat hook postrouting priority srcnat; policy accept;
\t\tip saddr 10.244.0.0/16 ip daddr 10.244.0.0/16 return comment "flanneld masq"
\t\tip saddr 10.244.0.0/16 ip daddr != 224.0.0.0/4 masquerade fully-random comment "flanneld masq"
\t\tip saddr != 10.244.0.0/16 ip daddr 10.244.7.0/24 return comment "flanneld masq"
\t\tip saddr != 10.244.0.0/16 ip daddr 10.244.0.0/16 masquerade fully-random comment "flanneld masq"
\t}

\tchain forward {
\t\ttype filter hook forward priority filter; policy accept;
\t\tip saddr 10.244.0.0/16 accept comment "flanneld forward"
\t\tip daddr 10.244.0.0/16 accept comment "flanneld forward"
\t}
}
`);
  });

  it('uses the suffixed table for a custom prefix and leaves out a feature that is off', () => {
    const script = renderNft({ names: masqNames('/example.org/network'), masq: { network, subnet: parseIP4Net('10.244.7.9/32'), randomFully: false } });
    expect(script).toBe(`table ip flannel_ae9b0b6d
delete table ip flannel_ae9b0b6d
table ip flannel_ae9b0b6d {
\tchain postrouting {
\t\ttype nat hook postrouting priority srcnat; policy accept;
\t\tip saddr 10.244.0.0/16 ip daddr 10.244.0.0/16 return comment "flanneld masq"
\t\tip saddr 10.244.0.0/16 ip daddr != 224.0.0.0/4 masquerade comment "flanneld masq"
\t\tip saddr != 10.244.0.0/16 ip daddr 10.244.7.9 return comment "flanneld masq"
\t\tip saddr != 10.244.0.0/16 ip daddr 10.244.0.0/16 masquerade comment "flanneld masq"
\t}
}
`);
  });

  it('only deletes the table when every feature is off', () => {
    const names = masqNames(DEFAULT_ETCD_PREFIX);
    expect(renderNft({ names })).toBe('table ip flannel\ndelete table ip flannel\n');
    expect(renderNftTable({ names })).toBeUndefined();
  });
});

describe('renderNftRemoval', () => {
  const names = masqNames(DEFAULT_ETCD_PREFIX);

  it('drops one chain and keeps the table for the other', () => {
    expect(renderNftRemoval(names, { masq: true, forward: false }, ['postrouting', 'forward'])).toBe(
      'flush chain ip flannel postrouting\ndelete chain ip flannel postrouting\n',
    );
  });

  it('drops the table once nothing of ours is left in it', () => {
    expect(renderNftRemoval(names, { masq: false, forward: true }, ['forward'])).toBe('delete table ip flannel\n');
  });

  it('is empty when the chain is not there', () => {
    expect(renderNftRemoval(names, { masq: true, forward: false }, ['forward'])).toBe('');
  });
});
