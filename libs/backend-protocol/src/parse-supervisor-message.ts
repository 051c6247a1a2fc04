import { containsIP4, formatIP4, formatIP4Net } from '@flannel-ts/ip';
import { readEnvelope } from './envelope.js';
import type { Lease, PeerEvent } from './lease.js';
import type { MessageFields } from './message-fields.js';
import {
  BACKEND_MESSAGE_TYPES,
  SUPERVISOR_MESSAGE_TYPES,
  type InitMessage,
  type PeersMessage,
  type SupervisorMessage,
  type SupervisorMessageType,
} from './messages.js';
import { PROTOCOL_VERSION } from './version.js';

const v = PROTOCOL_VERSION;
const MIN_MTU = 68;
const MAX_INT32 = 0x7fffffff;
const DAEMON_ID = /^[A-Za-z0-9_.-]{1,64}$/;
/** IFNAMSIZ minus the terminating NUL. */
const MAX_IFNAME_LEN = 15;
const LINK_NAME = /^[^/:%\s]{1,15}$/;
const NETWORK_NAME = /^[^/\u0000-\u001f\u007f]{1,255}$/;

/**
 * Validates and decodes one message from the supervisor (a parsed JSON value).
 * Throws ProtocolError with a one-line message naming the culprit. Checks shape only; the order of
 * messages is Conversation's business.
 */
export function parseSupervisorMessage(raw: unknown): SupervisorMessage {
  const { type, fields } = readEnvelope<SupervisorMessageType>(raw, {
    sender: 'supervisor',
    types: SUPERVISOR_MESSAGE_TYPES,
    otherTypes: BACKEND_MESSAGE_TYPES,
  });
  switch (type) {
    case 'init':
      return readInit(fields);
    case 'lease':
      return { v, type, ...readLease(fields) };
    case 'peers':
      return readPeers(fields);
    case 'peer-events':
      return { v, type, events: fields.eachObject('events', readPeerEvent) };
    case 'shutdown':
      return fields.has('removeState') && fields.boolean('removeState') ? { v, type, removeState: true } : { v, type };
    case 'protocol-error':
      return { v, type, message: fields.string('message') };
  }
}

function readInit(fields: MessageFields): InitMessage {
  const config = fields.nested('config');
  const network = config.prefix('network');
  const subnetLen = config.integer('subnetLen', network.prefixLen, 32);
  const subnetMin = config.ip4('subnetMin');
  const subnetMax = config.ip4('subnetMax');
  for (const [field, ip] of [['subnetMin', subnetMin], ['subnetMax', subnetMax]] as const) {
    if (!containsIP4(network, ip)) config.fail(field, `${formatIP4(ip)} is outside network ${formatIP4Net(network)}`);
  }
  if (subnetMin > subnetMax) config.fail('subnetMin', `${formatIP4(subnetMin)} is above subnetMax ${formatIP4(subnetMax)}`);
  const backend = config.object('backend');

  const iface = fields.nested('iface');
  const name = iface.nonEmptyString('name');
  if (name.length > MAX_IFNAME_LEN) iface.fail('name', `"${name}" is longer than ${MAX_IFNAME_LEN} characters`);

  const stateDir = fields.nonEmptyString('stateDir');
  if (!stateDir.startsWith('/')) fields.fail('stateDir', `"${stateDir}" is not an absolute path`);
  const tunName = fields.optionalString('tunName');
  if (tunName !== undefined && !LINK_NAME.test(tunName)) fields.fail('tunName', `"${tunName}" is not a device name (1-${MAX_IFNAME_LEN} characters, no "/", ":", "%" or space)`);
  const networkName = fields.optionalString('network');
  if (networkName !== undefined && !NETWORK_NAME.test(networkName)) {
    fields.fail('network', `${JSON.stringify(networkName.slice(0, 64))} is not 1-255 printable characters without "/"`);
  }
  const daemonId = fields.string('daemonId');
  if (!DAEMON_ID.test(daemonId)) fields.fail('daemonId', `"${daemonId}" is not 1-64 characters of [A-Za-z0-9_.-]`);

  return {
    v,
    type: 'init',
    config: { network, subnetLen, subnetMin, subnetMax, backend },
    iface: {
      name,
      index: iface.integer('index', 1, MAX_INT32),
      mtu: iface.integer('mtu', MIN_MTU, MAX_INT32),
      ifaceAddr: iface.ip4('ifaceAddr'),
      extAddr: iface.ip4('extAddr'),
    },
    stateDir,
    daemonId,
    verbosity: fields.integer('verbosity', 0, 1000),
    ...(tunName === undefined ? {} : { tunName }),
    ...(networkName === undefined ? {} : { network: networkName }),
  };
}

function readPeers(fields: MessageFields): PeersMessage {
  const seen = new Map<string, number>();
  const snapshot = fields.eachObject('snapshot', (item, index) => {
    const lease = readLease(item);
    const key = formatIP4Net(lease.subnet);
    const first = seen.get(key);
    if (first !== undefined) item.fail('subnet', `${key} is listed twice (also at snapshot[${first}])`);
    seen.set(key, index);
    return lease;
  });
  return { v, type: 'peers', snapshot };
}

function readPeerEvent(fields: MessageFields): PeerEvent {
  const type = fields.string('type');
  if (type !== 'added' && type !== 'removed') fields.fail('type', `expected "added" or "removed", got "${type}"`);
  return { type, lease: readLease(fields.nested('lease')) };
}

/** The lease fields, flat in `lease` messages and nested elsewhere. */
export function readLease(fields: MessageFields): Lease {
  const subnet = fields.prefix('subnet');
  const publicIp = fields.ip4('publicIp');
  const backendType = fields.optionalString('backendType');
  const backendData = fields.optionalObject('backendData');
  return {
    subnet,
    publicIp,
    ...(backendType === undefined ? {} : { backendType }),
    ...(backendData === undefined ? {} : { backendData }),
  };
}
