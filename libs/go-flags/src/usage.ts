import type { FlagTable } from './flag-def.js';

/**
 * The flag list in the layout of Go's flag.PrintDefaults, sorted by name as Go sorts it:
 *
 *   -name valueName
 *     \thelp (default value)
 *
 * A single-letter boolean fits on one line ("  -x\thelp"). Hidden flags are left out.
 */
export function formatFlagDefaults(table: FlagTable): string {
  const defs = Object.values(table)
    .filter((def) => !def.hidden)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let out = '';
  for (const def of defs) {
    let line = `  -${def.name}`;
    if (def.valueName !== '') line += ` ${def.valueName}`;
    line += line.length <= 4 ? '\t' : '\n    \t';
    line += def.help.replaceAll('\n', '\n    \t');
    const shownDefault = def.describeDefault();
    if (shownDefault !== undefined) line += ` (default ${shownDefault})`;
    out += `${line}\n`;
  }
  return out;
}
