import type { JsonObject } from '@flannel-ts/config';
import { formatIP4, formatIP4Net, type IP4, type IP4Net } from '@flannel-ts/ip';
import type { Lease } from './lease.js';
import type { BackendMessage, SupervisorMessage } from './messages.js';
import { ProtocolError } from './protocol-error.js';

// Decoded message → the plain JSON that crosses the channel. Only the fields the protocol defines are
// copied. Run the result through parse*Message to check it (BackendChannel.send does).

function encodeIP4(ip: IP4, where: string): string {
  if (!Number.isInteger(ip) || ip < 0 || ip > 0xffffffff) {
    throw new ProtocolError(`${where}: ${ip} is not an IPv4 address (an unsigned 32-bit integer)`, 'malformed');
  }
  return formatIP4(ip);
}

function encodeIP4Net(net: IP4Net, where: string): string {
  if (!Number.isInteger(net.prefixLen) || net.prefixLen < 0 || net.prefixLen > 32) {
    throw new ProtocolError(`${where}: prefix length ${net.prefixLen} is not 0-32`, 'malformed');
  }
  encodeIP4(net.ip, where);
  return formatIP4Net(net);
}

/** `prefix` starts the error text: "lease: " → "lease: subnet: ...", "peers: snapshot[3]." → "peers: snapshot[3].subnet: ...". */
export function encodeLease(lease: Lease, prefix = 'lease: '): JsonObject {
  return {
    subnet: encodeIP4Net(lease.subnet, `${prefix}subnet`),
    publicIp: encodeIP4(lease.publicIp, `${prefix}publicIp`),
    ...(lease.backendType === undefined ? {} : { backendType: lease.backendType }),
    ...(lease.backendData === undefined ? {} : { backendData: lease.backendData }),
  };
}

export function encodeSupervisorMessage(msg: SupervisorMessage): JsonObject {
  const { v, type } = msg;
  switch (msg.type) {
    case 'init': {
      const { config, iface } = msg;
      return {
        v,
        type,
        config: {
          network: encodeIP4Net(config.network, 'init: config.network'),
          subnetLen: config.subnetLen,
          subnetMin: encodeIP4(config.subnetMin, 'init: config.subnetMin'),
          subnetMax: encodeIP4(config.subnetMax, 'init: config.subnetMax'),
          backend: config.backend,
        },
        iface: {
          name: iface.name,
          index: iface.index,
          mtu: iface.mtu,
          ifaceAddr: encodeIP4(iface.ifaceAddr, 'init: iface.ifaceAddr'),
          extAddr: encodeIP4(iface.extAddr, 'init: iface.extAddr'),
        },
        stateDir: msg.stateDir,
        daemonId: msg.daemonId,
        verbosity: msg.verbosity,
        ...(msg.tunName === undefined ? {} : { tunName: msg.tunName }),
        ...(msg.network === undefined ? {} : { network: msg.network }),
      };
    }
    case 'lease':
      return { v, type, ...encodeLease(msg, 'lease: ') };
    case 'peers':
      return { v, type, snapshot: msg.snapshot.map((lease, i) => encodeLease(lease, `peers: snapshot[${i}].`)) };
    case 'peer-events':
      return {
        v,
        type,
        events: msg.events.map((event, i) => ({
          type: event.type,
          lease: encodeLease(event.lease, `peer-events: events[${i}].lease.`),
        })),
      };
    case 'shutdown':
      return msg.removeState ? { v, type, removeState: true } : { v, type };
    case 'protocol-error':
      return { v, type, message: msg.message };
  }
}

export function encodeBackendMessage(msg: BackendMessage): JsonObject {
  const { v, type } = msg;
  switch (msg.type) {
    case 'propose':
      return {
        v,
        type,
        ...(msg.backendType === undefined ? {} : { backendType: msg.backendType }),
        ...(msg.backendData === undefined ? {} : { backendData: msg.backendData }),
        mtu: msg.mtu,
      };
    case 'ready':
      return { v, type };
    case 'status':
      return {
        v,
        type,
        ...(msg.counters === undefined ? {} : { counters: msg.counters }),
        ...(msg.detail === undefined ? {} : { detail: msg.detail }),
        ...(msg.metrics === undefined ? {} : { metrics: msg.metrics as unknown as JsonObject }),
        ...(msg.kernel === undefined ? {} : { kernel: msg.kernel as unknown as JsonObject }),
      };
    case 'error':
      return { v, type, message: msg.message, fatal: msg.fatal };
    case 'protocol-error':
      return { v, type, message: msg.message };
  }
}
