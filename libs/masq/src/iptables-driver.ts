import { runOrThrow, type CommandRunner } from './command-runner.js';
import { forwardChain, forwardRuleLines, jumpSpec, masqChain, masqRuleLines, type IptablesChain } from './iptables-chains.js';
import { jumpsTo, parseIptablesSave, rulesOf, splitSaveByTable } from './iptables-save-parse.js';
import type { MasqDriver } from './masq-driver.js';
import type { MasqNames } from './masq-names.js';
import type { MasqFeatures } from './masq-rules.js';
import { renderIptablesRemoval, renderIptablesRestore, type IptablesCurrent } from './render-iptables-restore.js';

export type IptablesVariant = 'nft' | 'legacy';

/** How long iptables-restore may wait for the xtables lock (legacy) before failing. */
const LOCK_WAIT_SECONDS = 5;

/** --random-fully reached iptables in 1.6.2 (Go flanneld checks the same version). */
const RANDOM_FULLY_SINCE: readonly number[] = [1, 6, 2];

/** Our rules through `iptables-<variant>-save` / `iptables-<variant>-restore --noflush`. */
export function iptablesDriver(variant: IptablesVariant, run: CommandRunner): MasqDriver {
  const save = `iptables-${variant}-save`;
  const restore = `iptables-${variant}-restore`;

  /** One dump of every table: one process instead of one per table. */
  const readCurrent = async (): Promise<IptablesCurrent> => {
    const tables = splitSaveByTable(await runOrThrow(run, save, []));
    return { nat: tables.get('nat'), filter: tables.get('filter') };
  };
  const restoreBatch = async (batch: string): Promise<void> => {
    if (batch === '') return;
    await runOrThrow(run, restore, ['--noflush', `--wait=${LOCK_WAIT_SECONDS}`], batch);
  };
  /** `-S` of one chain: cheaper than a table dump where kube-proxy keeps thousands of rules. */
  const listChain = async (table: string, chain: string): Promise<{ lines: string; error?: string }> => {
    const result = await run(`iptables-${variant}`, ['-w', String(LOCK_WAIT_SECONDS), '-t', table, '-S', chain]);
    return result.exitCode === 0 ? { lines: result.stdout } : { lines: '', error: result.stderr.trim() || `exit ${result.exitCode}` };
  };
  const chainDifferences = async (chain: IptablesChain, expected: readonly string[]): Promise<string[]> => {
    const [ours, hook] = await Promise.all([listChain(chain.table, chain.chain), listChain(chain.table, chain.hook)]);
    const found: string[] = [];
    // A missing chain makes -S fail (each variant words it differently); any failure means "rebuild".
    if (ours.error !== undefined) found.push(`chain ${chain.table}/${chain.chain} unreadable: ${ours.error}`);
    else if (rulesOf(parseIptablesSave(ours.lines), chain.chain).join('\n') !== expected.join('\n')) {
      found.push(`chain ${chain.table}/${chain.chain} differs`);
    }
    const jumps = jumpsTo(parseIptablesSave(hook.lines), chain.hook, chain.chain);
    if (jumps.length !== 1 || jumps[0] !== `-A ${chain.hook} ${jumpSpec(chain)}`) {
      found.push(`${jumps.length} jump(s) from ${chain.table}/${chain.hook} to ${chain.chain}, want exactly one`);
    }
    return found;
  };

  return {
    backend: `iptables-${variant}`,
    async apply(ruleset) {
      await restoreBatch(renderIptablesRestore(ruleset, await readCurrent()));
    },
    async differences(ruleset) {
      const nat = masqChain(ruleset.names);
      const filter = forwardChain(ruleset.names);
      const checks = [
        ruleset.masq ? chainDifferences(nat, masqRuleLines(nat, ruleset.masq)) : [],
        ruleset.forward ? chainDifferences(filter, forwardRuleLines(filter, ruleset.forward)) : [],
      ];
      return (await Promise.all(checks)).flat();
    },
    async remove(names: MasqNames, remove: MasqFeatures) {
      await restoreBatch(renderIptablesRemoval(names, remove, await readCurrent()));
    },
    async supportsRandomFully() {
      const version = await runOrThrow(run, `iptables-${variant}`, ['--version']);
      const match = /v(\d+)\.(\d+)\.(\d+)/.exec(version);
      if (!match) throw new Error(`iptables-${variant} --version printed no version: ${version.trim()}`);
      return versionAtLeast(match.slice(1).map(Number), RANDOM_FULLY_SINCE);
    },
  };
}

function versionAtLeast(version: readonly number[], minimum: readonly number[]): boolean {
  for (let i = 0; i < minimum.length; i++) {
    const have = version[i] ?? 0;
    const want = minimum[i] ?? 0;
    if (have !== want) return have > want;
  }
  return true;
}
