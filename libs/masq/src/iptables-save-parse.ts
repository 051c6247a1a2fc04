/** One table of `iptables-save -t <table>` output: its chains and their rules in order. */
export interface SavedTable {
  readonly chains: ReadonlySet<string>;
  /** Rule lines ("-A <chain> ...") per chain, in order. */
  readonly rules: ReadonlyMap<string, readonly string[]>;
}

export const EMPTY_TABLE: SavedTable = { chains: new Set(), rules: new Map() };

export function parseIptablesSave(text: string): SavedTable {
  const chains = new Set<string>();
  const rules = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith(':')) {
      chains.add(line.slice(1).split(' ')[0]!);
    } else if (line.startsWith('-A ')) {
      const chain = line.split(' ')[1]!;
      const list = rules.get(chain) ?? [];
      list.push(line);
      rules.set(chain, list);
    }
  }
  return { chains, rules };
}

export function rulesOf(table: SavedTable, chain: string): readonly string[] {
  return table.rules.get(chain) ?? [];
}

/** Rules of `hook` whose target (-j or -g) is `chain`: whatever their matches, they are our jumps. */
export function jumpsTo(table: SavedTable, hook: string, chain: string): string[] {
  return rulesOf(table, hook).filter((line) => {
    const words = line.split(' ');
    return words.some((word, i) => (word === '-j' || word === '-g') && words[i + 1] === chain);
  });
}

/** The part of a rule line after "-A <chain> ", usable with -D/-I. */
export function ruleSpec(line: string): string {
  return line.split(' ').slice(2).join(' ');
}

/** Cuts a whole `iptables-save` dump into the text of each table ("*nat" ... "COMMIT"). */
export function splitSaveByTable(text: string): Map<string, string> {
  const tables = new Map<string, string>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      current = [line];
      tables.set(line.slice(1).trim(), '');
    } else if (current !== undefined) {
      current.push(line);
      if (line.trim() === 'COMMIT') {
        tables.set(current[0]!.slice(1).trim(), `${current.join('\n')}\n`);
        current = undefined;
      }
    }
  }
  return tables;
}
