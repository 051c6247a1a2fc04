// Wire-form supervisor⇄backend messages for tests, and a helper to break them one field at a time.

export type Wire = Record<string, unknown>;

export const wireLease = (subnet: string, publicIp: string, extra: Wire = {}): Wire => ({ subnet, publicIp, ...extra });

export const wireSamples = {
  init: (): Wire => ({
    v: 1,
    type: 'init',
    config: {
      network: '10.244.0.0/16',
      subnetLen: 24,
      subnetMin: '10.244.1.0',
      subnetMax: '10.244.255.0',
      backend: { Type: 'vxlan', VNI: 1 },
    },
    iface: { name: 'eth0', index: 2, mtu: 1500, ifaceAddr: '192.0.2.2', extAddr: '198.51.100.2' },
    stateDir: '/var/lib/flannel/d1',
    daemonId: 'd1',
    verbosity: 0,
  }),
  lease: (): Wire => ({
    v: 1,
    type: 'lease',
    subnet: '10.244.1.0/24',
    publicIp: '198.51.100.2',
    backendType: 'vxlan',
    backendData: { VNI: 1, VtepMAC: '5a:1f:0c:2e:33:9b' },
  }),
  peers: (): Wire => ({
    v: 1,
    type: 'peers',
    snapshot: [wireLease('10.244.2.0/24', '192.0.2.12'), wireLease('10.244.3.0/24', '192.0.2.13', { backendType: 'host-gw' })],
  }),
  peerEvents: (): Wire => ({
    v: 1,
    type: 'peer-events',
    events: [
      { type: 'added', lease: wireLease('10.244.4.0/24', '192.0.2.14') },
      { type: 'removed', lease: wireLease('10.244.2.0/24', '192.0.2.12') },
    ],
  }),
  shutdown: (): Wire => ({ v: 1, type: 'shutdown' }),
  propose: (): Wire => ({ v: 1, type: 'propose', backendType: 'vxlan', backendData: { VNI: 1, VtepMAC: '5a:1f:0c:2e:33:9b' }, mtu: 1450 }),
  ready: (): Wire => ({ v: 1, type: 'ready' }),
  status: (): Wire => ({ v: 1, type: 'status', counters: { routes: 3 }, detail: '3 routes' }),
  error: (): Wire => ({ v: 1, type: 'error', message: 'adding route 10.244.3.0/24 via 192.0.2.13: EEXIST', fatal: false }),
  protocolError: (): Wire => ({ v: 1, type: 'protocol-error', message: 'unknown message type "frobnicate"' }),
};

/** A deep copy of `message` with the field at `path` set to `value` (removed when value is undefined). */
export function withField(message: Wire, path: ReadonlyArray<string | number>, value: unknown): Wire {
  const copy = structuredClone(message);
  let target: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return copy;
}

/**
 * The wire-form init of a daemon whose state lives in `stateDir`, for a test backend whose config
 * section is `{ Type: 'echo', ...backend }`.
 */
export function wireInit(stateDir: string, backend: Wire = {}): Wire {
  return {
    ...wireSamples.init(),
    config: { ...(wireSamples.init().config as Wire), backend: { Type: 'echo', ...backend } },
    iface: { name: 'eth0', index: 2, mtu: 1500, ifaceAddr: '192.0.2.2', extAddr: '192.0.2.2' },
    stateDir,
    daemonId: 'test',
  };
}
