import { resolve } from 'node:path';
import { ConfigError, resolveSubnetRange, type JsonObject } from '@flannel-ts/config';
import { containsIP4, formatIP4Net, tryParseIP4Net, type IP4, type IP4Net } from '@flannel-ts/ip';
import type { FlagSources } from '@flannel-ts/go-flags';
import {
  encodeSupervisorMessage,
  isJsonObject,
  parseSupervisorMessage,
  PROTOCOL_VERSION,
  ProtocolError,
  type InitMessage,
} from '@flannel-ts/backend-protocol';
import type { BackendFlags, BackendFlagTable } from './backend-flags.js';
import { interfaceFacts, type ReadSnapshot } from './interface-facts.js';
import { parsePeerSpec, type PeerSpec } from './peer-spec.js';
import { UsageError } from './usage-error.js';

/** What standalone mode plays the supervisor with, made from the flags. */
export interface StandalonePlan {
  /** From -network and friends; absent when init comes from stdin. */
  readonly init?: InitMessage;
  /** From -subnet: sent once the backend has proposed, with its backendType/backendData. */
  readonly lease?: { readonly subnet: IP4Net; readonly publicIp: IP4 };
  /** From -peer: the first peers snapshot, sent after the lease (none when empty). */
  readonly peers: readonly PeerSpec[];
  readonly stdin: boolean;
  /** How the interface was chosen, for the log. */
  readonly logLines: readonly string[];
}

const INIT_FLAGS = ['subnetLen', 'backendConfig', 'iface', 'publicIp', 'mtu', 'stateDir', 'daemonId', 'subnet', 'peers'] as const;
const FLAG_NAMES: Record<(typeof INIT_FLAGS)[number], string> = {
  subnetLen: 'subnet-len',
  backendConfig: 'backend-config',
  iface: 'iface',
  publicIp: 'public-ip',
  mtu: 'mtu',
  stateDir: 'state-dir',
  daemonId: 'daemon-id',
  subnet: 'subnet',
  peers: 'peer',
};

/**
 * Turns standalone flags into the messages to play. Throws UsageError for flags that do not fit
 * together, and a plain Error when the interface cannot be found (the environment's fault).
 */
export async function planStandalone(
  flags: BackendFlags,
  sources: FlagSources<BackendFlagTable>,
  options: { readonly cwd: string; readonly readSnapshot?: ReadSnapshot },
): Promise<StandalonePlan> {
  if (flags.network === '') {
    const stray = INIT_FLAGS.find((key) => sources[key] !== 'default');
    if (stray !== undefined) throw new UsageError(`flag -${FLAG_NAMES[stray]} needs -network (the flags make init only with it)`);
    if (!flags.stdin) throw new UsageError('nothing to do: give -network (with -subnet and -peer) and/or -stdin');
    return { peers: [], stdin: true, logLines: [] };
  }

  const network = tryParseIP4Net(flags.network);
  if (network === undefined) throw new UsageError(`invalid -network ${JSON.stringify(flags.network)}: expected an IPv4 prefix like 10.244.0.0/16`);
  const range = subnetRange(network, flags.subnetLen);
  const backend = backendObject(flags.backendConfig);
  if (flags.stateDir === '') throw new UsageError('flag -state-dir is required with -network (the backend lock lives there)');
  if (flags.mtu < 0) throw new UsageError(`invalid -mtu ${flags.mtu}: must not be negative`);
  const lease = flags.subnet === '' ? undefined : ownSubnet(flags.subnet, network, range.subnetLen);
  if (flags.peers.length > 0 && lease === undefined) throw new UsageError('flag -peer needs -subnet (peers follow the own lease)');

  const ext = await interfaceFacts(
    { ...(flags.iface === '' ? {} : { iface: flags.iface }), ...(flags.publicIp === '' ? {} : { publicIp: flags.publicIp }) },
    options.readSnapshot,
  );
  const init: InitMessage = {
    v: PROTOCOL_VERSION,
    type: 'init',
    config: { network, ...range, backend },
    iface: {
      name: ext.name,
      index: ext.index,
      mtu: flags.mtu > 0 ? flags.mtu : ext.mtu,
      ifaceAddr: ext.ifaceAddr,
      extAddr: ext.extAddr,
    },
    stateDir: resolve(options.cwd, flags.stateDir),
    daemonId: flags.daemonId,
    verbosity: flags.verbosity,
  };
  try {
    parseSupervisorMessage(encodeSupervisorMessage(init));
  } catch (error) {
    if (error instanceof ProtocolError) throw new UsageError(`the flags make an invalid ${error.message}`);
    throw error;
  }
  return {
    init,
    ...(lease === undefined ? {} : { lease: { subnet: lease, publicIp: ext.extAddr } }),
    peers: flags.peers.map(parsePeerSpec),
    stdin: flags.stdin,
    logLines: ext.logLines,
  };
}

function subnetRange(network: IP4Net, subnetLen: number) {
  try {
    return resolveSubnetRange({ network, subnetLen });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const flag = error.field === 'SubnetLen' ? '-subnet-len' : '-network';
    throw new UsageError(`invalid ${flag}: ${error.detail}`);
  }
}

function backendObject(text: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`invalid -backend-config: not JSON: ${(error as Error).message}`);
  }
  if (!isJsonObject(value)) throw new UsageError('invalid -backend-config: must be a JSON object like {"Type":"vxlan"}');
  return value;
}

function ownSubnet(text: string, network: IP4Net, subnetLen: number): IP4Net {
  const subnet = tryParseIP4Net(text);
  if (subnet === undefined || formatIP4Net(subnet) !== text) {
    throw new UsageError(`invalid -subnet ${JSON.stringify(text)}: expected an IPv4 prefix with its host bits clear`);
  }
  if (subnet.prefixLen !== subnetLen || !containsIP4(network, subnet.ip)) {
    throw new UsageError(`invalid -subnet ${text}: expected a /${subnetLen} inside ${formatIP4Net(network)}`);
  }
  return subnet;
}
