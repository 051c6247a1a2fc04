import { parseIP4Net } from '@flannel-ts/ip';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ETCD_PREFIX, masqNames } from './masq-names.js';
import type { MasqRuleset } from './masq-rules.js';
import { renderIptablesRemoval, renderIptablesRestore } from './render-iptables-restore.js';

const network = parseIP4Net('10.244.0.0/16');
const subnet = parseIP4Net('10.244.7.0/24');

function ruleset(etcdPrefix: string, randomFully = true): MasqRuleset {
  return { names: masqNames(etcdPrefix), masq: { network, subnet, randomFully }, forward: { network } };
}

describe('renderIptablesRestore', () => {
  it("renders Go flanneld's rules in our default chains on a fresh host", () => {
    expect(renderIptablesRestore(ruleset(DEFAULT_ETCD_PREFIX))).toBe(`*nat
:FLANNEL-POSTRTG - [0:0]
-A FLANNEL-POSTRTG -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
-A FLANNEL-POSTRTG ! -s 10.244.0.0/16 -d 10.244.7.0/24 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG ! -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
-I POSTROUTING 1 -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
COMMIT
*filter
:FLANNEL-FWD - [0:0]
-A FLANNEL-FWD -s 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
-A FLANNEL-FWD -d 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
-I FORWARD 1 -m comment --comment "flanneld forward" -j FLANNEL-FWD
COMMIT
`);
  });

  it('renders a custom prefix into suffixed chains, without --random-fully when unsupported', () => {
    expect(renderIptablesRestore(ruleset('/example.org/network', false))).toBe(`*nat
:FLANNEL-POSTRTG-ae9b0b6d - [0:0]
-A FLANNEL-POSTRTG-ae9b0b6d -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG-ae9b0b6d -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE
-A FLANNEL-POSTRTG-ae9b0b6d ! -s 10.244.0.0/16 -d 10.244.7.0/24 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG-ae9b0b6d ! -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j MASQUERADE
-I POSTROUTING 1 -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG-ae9b0b6d
COMMIT
*filter
:FLANNEL-FWD-ae9b0b6d - [0:0]
-A FLANNEL-FWD-ae9b0b6d -s 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
-A FLANNEL-FWD-ae9b0b6d -d 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
-I FORWARD 1 -m comment --comment "flanneld forward" -j FLANNEL-FWD-ae9b0b6d
COMMIT
`);
  });

  const masqOnly: MasqRuleset = { names: masqNames(DEFAULT_ETCD_PREFIX), masq: { network, subnet, randomFully: false } };
  const jumpLines = (batch: string): string[] => batch.split('\n').filter((line) => /^-[DI] /.test(line));

  it('leaves a single existing jump where it is', () => {
    const nat = `*nat
:POSTROUTING ACCEPT [0:0]
:FLANNEL-POSTRTG - [0:0]
-A POSTROUTING -j KUBE-POSTROUTING
-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
COMMIT
`;
    const batch = renderIptablesRestore(masqOnly, { nat });
    expect(batch).toContain(':FLANNEL-POSTRTG - [0:0]');
    expect(jumpLines(batch)).toEqual([]);
  });

  it('replaces duplicate and odd jumps by one where the first proper jump stood, leaving other chains alone', () => {
    const nat = `*nat
:POSTROUTING ACCEPT [0:0]
:FLANNEL-POSTRTG - [0:0]
:FLANNEL-POSTRTG-ae9b0b6d - [0:0]
-A POSTROUTING -s 10.0.0.0/8 -j FLANNEL-POSTRTG
-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG-ae9b0b6d
-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
COMMIT
`;
    const batch = renderIptablesRestore(masqOnly, { nat });
    expect(jumpLines(batch)).toEqual([
      '-D POSTROUTING -s 10.0.0.0/8 -j FLANNEL-POSTRTG',
      '-D POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG',
      '-D POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG',
      '-I POSTROUTING 2 -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG',
    ]);
    expect(batch).not.toContain('ae9b0b6d');
  });

  it('inserts at position 1 when only odd jumps were there', () => {
    const nat = `*nat
-A POSTROUTING -j KUBE-POSTROUTING
-A POSTROUTING -s 10.0.0.0/8 -g FLANNEL-POSTRTG
COMMIT
`;
    expect(jumpLines(renderIptablesRestore(masqOnly, { nat }))).toEqual([
      '-D POSTROUTING -s 10.0.0.0/8 -g FLANNEL-POSTRTG',
      '-I POSTROUTING 1 -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG',
    ]);
  });

  it('removes the chain of a feature turned off, and only when it is there', () => {
    const filter = `*filter
:FORWARD DROP [0:0]
:FLANNEL-FWD - [0:0]
-A FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD
-A FLANNEL-FWD -s 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
COMMIT
`;
    const names = masqNames(DEFAULT_ETCD_PREFIX);
    expect(renderIptablesRestore({ names }, { filter })).toBe(`*filter
-D FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD
-F FLANNEL-FWD
-X FLANNEL-FWD
COMMIT
`);
    expect(renderIptablesRestore({ names }, {})).toBe('');
  });
});

describe('renderIptablesRemoval', () => {
  const nat = `*nat
:FLANNEL-POSTRTG - [0:0]
:KUBE-POSTROUTING - [0:0]
-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
-A POSTROUTING -j KUBE-POSTROUTING
COMMIT
`;
  const filter = `*filter
:FLANNEL-FWD - [0:0]
COMMIT
`;
  const names = masqNames(DEFAULT_ETCD_PREFIX);

  it('touches only the features asked for', () => {
    expect(renderIptablesRemoval(names, { masq: true, forward: false }, { nat, filter })).toBe(`*nat
-D POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
-F FLANNEL-POSTRTG
-X FLANNEL-POSTRTG
COMMIT
`);
    expect(renderIptablesRemoval(names, { masq: false, forward: true }, { nat, filter })).toBe(`*filter
-F FLANNEL-FWD
-X FLANNEL-FWD
COMMIT
`);
  });

  it('is empty when nothing of ours is there', () => {
    expect(renderIptablesRemoval(masqNames('/other'), { masq: true, forward: true }, { nat, filter })).toBe('');
  });
});
