/** flannelctl's commands: how each is called and what it does, for parsing and --help. */
export interface CommandSpec {
  /** The words naming it: ['leases'], ['config', 'check']. */
  readonly words: readonly string[];
  /** Its arguments in the usage line, e.g. 'SUBNET PUBLIC-IP'. */
  readonly args: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly summary: string;
  /** The flannelctl flags it reads, besides the etcd or health endpoint ones. */
  readonly flags: readonly string[];
  /** Whether it talks to etcd (else to the daemon's health endpoint). */
  readonly etcd: boolean;
}

export const COMMANDS: readonly CommandSpec[] = [
  { words: ['config', 'get'], args: '', minArgs: 0, maxArgs: 0, flags: ['network', 'json'], etcd: true,
    summary: 'print the network config as stored in etcd' },
  { words: ['config', 'check'], args: '[FILE|-]', minArgs: 0, maxArgs: 1, flags: ['network', 'json'], etcd: true,
    summary: "check a network config (FILE, - for stdin, or the stored one) with flanneld's own rules: one line per problem, exit 3 when there are any" },
  { words: ['config', 'set'], args: 'FILE|-', minArgs: 1, maxArgs: 1, flags: ['network'], etcd: true,
    summary: 'check a network config, then store it; a config with problems is refused (exit 3) and nothing is written' },
  { words: ['leases'], args: '', minArgs: 0, maxArgs: 0, flags: ['network', 'json'], etcd: true,
    summary: 'list the leases: subnet, public IP, backend, VTEP MAC, TTL left, reservation' },
  { words: ['free'], args: '', minArgs: 0, maxArgs: 0, flags: ['network', 'json', 'all'], etcd: true,
    summary: 'count the free subnets and list the first ones (all of them with --all)' },
  { words: ['reserve'], args: 'SUBNET PUBLIC-IP', minArgs: 2, maxArgs: 2, flags: ['network'], etcd: true,
    summary: 'hold SUBNET for the host PUBLIC-IP without TTL (its own lease is made TTL-less)' },
  { words: ['unreserve'], args: 'SUBNET', minArgs: 1, maxArgs: 1, flags: ['network'], etcd: true,
    summary: "give SUBNET's reservation a TTL again (24h), so it expires unless its host renews it" },
  { words: ['status'], args: '', minArgs: 0, maxArgs: 0, flags: ['json'], etcd: false,
    summary: "ask the local flanneld (its health endpoint's /status) for its lease, backend, readiness and kernel report" },
];

export const commandName = (c: CommandSpec): string => c.words.join(' ');
