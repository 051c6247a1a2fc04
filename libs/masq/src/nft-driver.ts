import { commandFailure, runOrThrow, type CommandRunner } from './command-runner.js';
import type { MasqDriver } from './masq-driver.js';
import { renderNft, renderNftRemoval, renderNftTable } from './render-nft.js';

/** Declares nothing: `nft -c` only asks the kernel whether it would accept a fully-random masquerade. */
const RANDOM_FULLY_PROBE = `table ip flannel_probe {
\tchain probe {
\t\ttype nat hook postrouting priority srcnat; policy accept;
\t\tmasquerade fully-random
\t}
}
`;

/** Our rules as a native nftables table of family ip, replaced in one `nft -f -` transaction. */
export function nftDriver(run: CommandRunner): MasqDriver {
  /** `nft list table` output, or undefined when the table does not exist. */
  const listTable = async (table: string): Promise<string | undefined> => {
    const args = ['list', 'table', 'ip', table];
    const result = await run('nft', args);
    if (result.exitCode === 0) return result.stdout;
    if (result.stderr.includes('No such file or directory')) return undefined;
    throw new Error(commandFailure('nft', args, result));
  };
  const runScript = async (script: string): Promise<void> => {
    if (script !== '') await runOrThrow(run, 'nft', ['-f', '-'], script);
  };

  return {
    backend: 'nftables',
    async apply(ruleset) {
      await runScript(renderNft(ruleset));
    },
    async differences(ruleset) {
      const expected = renderNftTable(ruleset);
      if (expected === undefined) return [];
      const listed = await listTable(ruleset.names.nftTable);
      if (listed === undefined) return [`table ip ${ruleset.names.nftTable} is missing`];
      return significantLines(listed) === significantLines(expected) ? [] : [`table ip ${ruleset.names.nftTable} differs`];
    },
    async remove(names, remove) {
      const listed = await listTable(names.nftTable);
      if (listed === undefined) return;
      await runScript(renderNftRemoval(names, remove, chainsOf(listed)));
    },
    async supportsRandomFully() {
      const result = await run('nft', ['-c', '-f', '-'], RANDOM_FULLY_PROBE);
      return result.exitCode === 0;
    },
  };
}

/** Compares listings regardless of indentation and blank lines. */
function significantLines(listing: string): string {
  return listing
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n');
}

function chainsOf(listing: string): string[] {
  return [...listing.matchAll(/^\s*chain (\S+) \{/gm)].map((match) => match[1]!);
}
