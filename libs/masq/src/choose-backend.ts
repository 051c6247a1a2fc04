import type { CommandRunner } from './command-runner.js';
import { iptablesDriver, type IptablesVariant } from './iptables-driver.js';
import type { MasqBackend, MasqDriver } from './masq-driver.js';
import { nftDriver } from './nft-driver.js';

/**
 * `--ip-masq-backend`: auto and iptables both mean iptables in the variant the host already uses;
 * nftables means native nftables. The explicit iptables variants are for tests and tools.
 */
export type MasqBackendChoice = 'auto' | 'iptables' | 'nftables' | 'iptables-nft' | 'iptables-legacy';

export const MASQ_BACKEND_CHOICES: readonly MasqBackendChoice[] = ['auto', 'iptables', 'nftables', 'iptables-nft', 'iptables-legacy'];

export async function resolveMasqBackend(choice: MasqBackendChoice, run: CommandRunner): Promise<MasqBackend> {
  switch (choice) {
    case 'nftables':
    case 'iptables-nft':
    case 'iptables-legacy':
      return choice;
    case 'auto':
    case 'iptables':
      return `iptables-${await chooseIptablesVariant(run)}`;
  }
}

/**
 * kube-proxy's iptables-wrapper rule: legacy when iptables-legacy-save shows more rules than
 * iptables-nft-save, nft otherwise (a fresh host gets nft). Rules already on the host tell which
 * variant the rest of the node (kubelet, Docker, our own earlier runs) uses, and mixing the two
 * makes rules that the other tools cannot see.
 */
export async function chooseIptablesVariant(run: CommandRunner): Promise<IptablesVariant> {
  const [legacy, nft] = await Promise.all([countIptablesRules(run, 'legacy'), countIptablesRules(run, 'nft')]);
  return legacy > nft ? 'legacy' : 'nft';
}

/** Rule lines printed by `iptables-<variant>-save`; a failing one counts what it printed (the wrapper's `|| true`). */
export async function countIptablesRules(run: CommandRunner, variant: IptablesVariant): Promise<number> {
  const result = await run(`iptables-${variant}-save`, []);
  return result.stdout.split('\n').filter((line) => line.startsWith('-')).length;
}

export function masqDriver(backend: MasqBackend, run: CommandRunner): MasqDriver {
  return backend === 'nftables' ? nftDriver(run) : iptablesDriver(backend === 'iptables-legacy' ? 'legacy' : 'nft', run);
}
