import { parseIP4Net } from '@flannel-ts/ip';
import { createLab, type Lab } from '@flannel-ts/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ETCD_PREFIX, MasqKeeper, countIptablesRules, createCommandRunner, resolveMasqBackend, type MasqBackend } from '../src/index.js';
import { captureLog, labRun } from './masq-test-helpers.js';

describe('auto backend (f)', () => {
  let lab: Lab;
  let nsCount = 0;

  beforeAll(async () => {
    lab = await createLab({ hosts: 1 });
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  /** A fresh host namespace holding `legacy` rules made with iptables-legacy and `nft` with iptables-nft. */
  async function hostWith({ legacy, nft }: { legacy: number; nft: number }): Promise<string> {
    const ns = `${lab.prefix}-a${++nsCount}`;
    await lab.addNamespace(ns);
    const rules = (count: number): string =>
      ['*filter', ...Array.from({ length: count }, (_, i) => `-A INPUT -s 198.51.100.${i + 1}/32 -j ACCEPT`), 'COMMIT', ''].join('\n');
    if (legacy > 0) await labRun(lab, ns, ['iptables-legacy-restore', '--noflush'], rules(legacy));
    if (nft > 0) await labRun(lab, ns, ['iptables-nft-restore', '--noflush'], rules(nft));
    return ns;
  }

  async function autoInstallsWith(ns: string): Promise<MasqBackend | undefined> {
    const keeper = new MasqKeeper(
      {
        network: parseIP4Net('10.244.0.0/16'),
        subnet: parseIP4Net('10.244.7.0/24'),
        etcdPrefix: DEFAULT_ETCD_PREFIX,
        ipMasq: true,
        forwardRules: true,
        backend: 'auto',
        netns: ns,
      },
      captureLog().log,
    );
    await keeper.apply();
    return keeper.backend;
  }

  it('picks legacy when iptables-legacy shows more rules, and installs there', async () => {
    const ns = await hostWith({ legacy: 3, nft: 2 });
    const run = createCommandRunner(ns);
    expect(await countIptablesRules(run, 'legacy')).toBe(3);
    expect(await countIptablesRules(run, 'nft')).toBe(2);
    expect(await resolveMasqBackend('iptables', run)).toBe('iptables-legacy');
    expect(await autoInstallsWith(ns)).toBe('iptables-legacy');
    expect(await labRun(lab, ns, ['iptables-legacy-save', '-t', 'nat'])).toContain('-j FLANNEL-POSTRTG');
    expect(await labRun(lab, ns, ['iptables-nft-save'])).not.toContain('FLANNEL');
  });

  it('picks nft on a fresh host and on a tie', async () => {
    const fresh = await hostWith({ legacy: 0, nft: 0 });
    expect(await autoInstallsWith(fresh)).toBe('iptables-nft');
    expect(await labRun(lab, fresh, ['iptables-nft-save', '-t', 'nat'])).toContain('-j FLANNEL-POSTRTG');

    const tie = await hostWith({ legacy: 2, nft: 2 });
    expect(await resolveMasqBackend('auto', createCommandRunner(tie))).toBe('iptables-nft');
  });

  it('never picks native nftables by itself', async () => {
    const ns = await hostWith({ legacy: 0, nft: 0 });
    await labRun(lab, ns, ['nft', 'add', 'table', 'ip', 'someone_else']);
    expect(await resolveMasqBackend('auto', createCommandRunner(ns))).toBe('iptables-nft');
    expect(await resolveMasqBackend('nftables', createCommandRunner(ns))).toBe('nftables');
  });
});
