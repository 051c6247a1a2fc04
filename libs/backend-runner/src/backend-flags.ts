import {
  boolFlag,
  FlagError,
  formatFlagDefaults,
  intFlag,
  parseCommandLine,
  stringFlag,
  stringListFlag,
  type FlagSources,
  type FlagValues,
} from '@flannel-ts/go-flags';
import { parsePeerSpec } from './peer-spec.js';

export function backendFlagTable(name: string) {
  const standalone = (help: string) => `standalone: ${help}`;
  return {
    verbosity: intFlag({ name: 'v', valueName: 'level', help: 'log verbosity: 1 debug, 2 trace (under flanneld the higher of this and its -v)' }),
    stdin: boolFlag({ name: 'stdin', help: standalone('read supervisor messages as NDJSON from stdin, after those the flags make') }),
    network: stringFlag({ name: 'network', help: standalone('the overlay network, e.g. 10.244.0.0/16; makes the init message from the flags') }),
    subnetLen: intFlag({ name: 'subnet-len', help: standalone('prefix length of each host subnet (default as flannel: 24, or network length + 2 when longer)') }),
    backendConfig: stringFlag({
      name: 'backend-config',
      default: `{"Type":"${name}"}`,
      help: standalone("the network config's Backend object, as JSON"),
    }),
    iface: stringFlag({ name: 'iface', help: standalone("external interface, by name or IPv4 address (default: the default route's)") }),
    publicIp: stringFlag({ name: 'public-ip', help: standalone("address advertised to peers (default: the interface's address)") }),
    mtu: intFlag({ name: 'mtu', help: standalone("the external interface's MTU (default: its MTU from /sys/class/net)") }),
    stateDir: stringFlag({ name: 'state-dir', help: standalone('state directory; holds the backend lock (required with -network)') }),
    daemonId: stringFlag({ name: 'daemon-id', default: 'standalone', help: standalone('the daemon id given to the backend') }),
    subnet: stringFlag({ name: 'subnet', help: standalone('own lease, e.g. 10.244.1.0/24, sent once the backend has proposed') }),
    peers: stringListFlag({
      name: 'peer',
      help: standalone('a peer lease SUBNET=PUBLICIP[,BACKENDDATA-JSON], e.g. 10.244.2.0/24=192.0.2.12; repeatable, together the first peers snapshot'),
      parseItem: (text) => {
        parsePeerSpec(text);
        return text;
      },
    }),
  };
}

export type BackendFlagTable = ReturnType<typeof backendFlagTable>;
export type BackendFlags = FlagValues<BackendFlagTable>;

export type ArgsOutcome =
  | { readonly kind: 'run'; readonly flags: BackendFlags; readonly sources: FlagSources<BackendFlagTable> }
  | { readonly kind: 'exit'; readonly code: 0 | 2; readonly stdout?: string; readonly stderr?: string };

export function backendUsage(name: string, program: string): string {
  return [
    `Usage: ${program} [OPTION]...`,
    '',
    `The ${name} datapath backend of flannel-ts. flanneld starts it with an IPC channel and drives it`,
    'with the messages of docs/ipc.md. Started without one it runs standalone, for debugging: -network',
    '(with -subnet and -peer) makes those messages from flags, -stdin reads more as NDJSON, and the',
    "backend's own messages go to stdout as NDJSON.",
    '',
    formatFlagDefaults(backendFlagTable(name)),
  ].join('\n');
}

/**
 * Parses a backend's arguments (those after the program name) without printing or exiting.
 * Under flanneld (`childMode`) only -v is accepted: everything else comes over IPC.
 */
export function parseBackendArgs(name: string, program: string, argv: readonly string[], childMode: boolean): ArgsOutcome {
  const table = backendFlagTable(name);
  const usageError = (message: string): ArgsOutcome => ({
    kind: 'exit',
    code: 2,
    stderr: `${message}\n${backendUsage(name, program)}`,
  });
  let parsed;
  try {
    parsed = parseCommandLine(table, argv);
  } catch (error) {
    if (error instanceof FlagError) return usageError(error.message);
    throw error;
  }
  if (parsed.helpRequested) return { kind: 'exit', code: 0, stdout: backendUsage(name, program) };
  if (parsed.positionals.length > 0) return usageError(`unexpected argument ${JSON.stringify(parsed.positionals[0])}`);
  if (childMode) {
    const standaloneFlag = (Object.keys(table) as Array<keyof BackendFlagTable>).find(
      (key) => key !== 'verbosity' && parsed.sources[key] !== 'default',
    );
    if (standaloneFlag !== undefined) {
      return usageError(`flag -${table[standaloneFlag].name} is for standalone mode; under flanneld everything comes over IPC`);
    }
  }
  if (parsed.values.verbosity < 0) return usageError(`invalid value ${parsed.values.verbosity} for flag -v: must not be negative`);
  return { kind: 'run', flags: parsed.values, sources: parsed.sources };
}
