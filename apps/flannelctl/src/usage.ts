import { formatFlagDefaults, type FlagTable } from '@flannel-ts/go-flags';
import { COMMANDS, commandName, type CommandSpec } from './commands.js';
import { FLANNELCTL_FLAGS } from './flag-table.js';

const ETCD_FLAG_KEYS = ['etcdEndpoints', 'etcdPrefix', 'etcdKeyfile', 'etcdCertfile', 'etcdCafile', 'etcdUsername', 'etcdPassword'];
const HEALTH_FLAG_KEYS = ['healthzIp', 'healthzPort'];

function pick(keys: readonly string[]): FlagTable {
  const table = FLANNELCTL_FLAGS as FlagTable;
  return Object.fromEntries(keys.map((k) => [k, table[k]!]));
}

const line = (c: CommandSpec) => `flannelctl ${commandName(c)}${c.args ? ` ${c.args}` : ''}`;

export function generalUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => line(c).length));
  return [
    'Usage: flannelctl [OPTION]... COMMAND [ARG]...',
    'Inspects and changes what flanneld keeps in etcd, and asks the local flanneld how it is doing.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${line(c).padEnd(width)}  ${c.summary}`),
    '',
    "Run 'flannelctl COMMAND --help' for a command's options. Exit status: 0 ok, 1 failure, 2 usage, 3 config problems.",
    '',
    'Options:',
    formatFlagDefaults(FLANNELCTL_FLAGS).trimEnd(),
    '',
  ].join('\n');
}

export function commandUsage(c: CommandSpec): string {
  return [
    `Usage: ${line(c)} [OPTION]...`,
    `${c.summary[0]!.toUpperCase()}${c.summary.slice(1)}.`,
    '',
    'Options:',
    formatFlagDefaults(pick([...c.flags, ...(c.etcd ? ETCD_FLAG_KEYS : HEALTH_FLAG_KEYS)])).trimEnd(),
    '',
  ].join('\n');
}
