import path from 'node:path';
import type { Logger } from 'pino';
import { parseBackendConfig, type NetworkConfig } from '@flannel-ts/config';
import { readSystemSnapshot, selectExternalInterface, type ExternalInterface } from '@flannel-ts/iface';
import { retrying } from '@flannel-ts/retry';
import { readSubnetEnv } from '@flannel-ts/subnet-env';
import { EtcdLeaseRegistry, NetworkWatcher, trimSlash, type NetworkRegistry } from '@flannel-ts/subnet';
import { DeviceClaims } from './device-claims.js';
import { NetworkSet } from './network-set.js';
import type { FlanneldOptions } from './options.js';
import { runNetwork } from './run-network.js';
import { etcdOptions } from './run-supervisor.js';
import { connectRemoteNetworkRegistry } from './connect-subnet-manager.js';
import type { DaemonHealth } from './daemon-health.js';

/** Whether the options ask for multi-network mode. */
export function isMultiNetwork(o: FlanneldOptions): boolean {
  return o.networks.length > 0 || o.watchNetworks;
}

/**
 * Multi-network mode: one run per network under the prefix (`<prefix>/<name>/config`), each with its
 * own lease, backend, device, masq chains, state directory and `<subnet-dir>/<name>.env`. The
 * networks listed at start that `--networks` allows are started; with `--watch-networks` networks
 * appearing later start and removed ones stop. No READY=1: networks may come up at any time or never.
 */
export async function runNetworks(o: FlanneldOptions, log: Logger, signal: AbortSignal, health?: DaemonHealth): Promise<void> {
  const [registry, snapshot] = await Promise.all([connectNetworkRegistry(o, log, signal, health), readSystemSnapshot()]);
  try {
    const ext = selectExternalInterface(snapshot, o);
    ext.logLines.forEach((line) => log.info(line));
    const claims = new DeviceClaims();
    const networks = new NetworkSet((name, runSignal) => runOne(o, registry, ext, claims, name, log, runSignal, health), signal, log);
    const allowed = (name: string) => o.networks.length === 0 || o.networks.includes(name);
    const added = (name: string) => {
      if (allowed(name)) networks.add(name);
      else log.info(`Network "${name}" is not allowed`);
    };
    // Ended by the daemon's signal, or by a bug in one network's run (which stops the others too).
    const done = new AbortController();
    const until = AbortSignal.any([signal, done.signal]);
    const watching = o.watchNetworks ? watchNetworks(registry, networks, added, log, until) : listOnce(o, registry, added, log, until);
    try {
      await Promise.race([watching, networks.failed]);
    } finally {
      done.abort();
      // Whatever ended the race, the watch is over before the connection closes (its own error, if
      // it lost the race, is not the one reported).
      await watching.catch(() => undefined);
      await networks.stopAll();
    }
  } finally {
    registry.close();
  }
}

/** Without --watch-networks: the networks present at start, and nothing else until the daemon stops. */
async function listOnce(o: FlanneldOptions, registry: NetworkRegistry, added: (name: string) => void, log: Logger, signal: AbortSignal): Promise<void> {
  const listing = await retrying(() => registry.listNetworks(), { failure: 'Failed to retrieve networks (will retry)', log, signal });
  listing.names.forEach(added);
  for (const name of o.networks.filter((n) => !listing.names.includes(n))) {
    log.warn(`Network "${name}": no config at ${trimSlash(registry.prefix)}/${name}/config; not started (--watch-networks starts networks that appear later)`);
  }
  if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

function watchNetworks(registry: NetworkRegistry, networks: NetworkSet, added: (name: string) => void, log: Logger, signal: AbortSignal): Promise<void> {
  const watcher = new NetworkWatcher(
    registry,
    (changes) => changes.forEach((c) => (c.type === 'added' ? added(c.name) : networks.remove(c.name))),
    log.child({ component: 'networks' }),
  );
  return watcher.run(signal);
}

async function runOne(
  o: FlanneldOptions,
  registry: NetworkRegistry,
  ext: ExternalInterface,
  claims: DeviceClaims,
  name: string,
  log: Logger,
  signal: AbortSignal,
  health: DaemonHealth | undefined,
): Promise<void> {
  const netLog = log.child({ network: name }, { msgPrefix: `Network "${name}": ` });
  const envFile = path.join(o.subnetDir, `${name}.env`);
  const previousEnv = await readSubnetEnv(envFile).catch((err: Error) => {
    netLog.warn(`Ignoring unreadable subnet file: ${err.message}`);
    return undefined;
  });
  const manager = registry.managerFor(name);
  const network = health?.addNetwork(name, envFile);
  try {
    await runNetwork({
      o,
      manager,
      ext,
      keyPrefix: `${trimSlash(registry.prefix)}/${name}`,
      envFile,
      previousEnv,
      network: name,
      accept: (config) => claims.claim(name, config),
      tunNameFor: udpTunName,
      notifyReady: false,
      ...(network ? { probe: network.probe } : {}),
      log: netLog,
      signal,
    });
  } finally {
    // The backend has stopped: its VNI or port is free for another network.
    claims.release(name);
    network?.remove();
    manager.close();
  }
}

/** Each udp network's TUN is named after its port (ports differ between udp networks): `flannel-u8285`. */
function udpTunName(config: NetworkConfig): string | undefined {
  const backend = parseBackendConfig(config);
  return backend.type === 'udp' ? `flannel-u${backend.port}` : undefined;
}

/** The networks' store: etcd with the daemon's etcd flags, or the flanneld server of --remote. */
async function connectNetworkRegistry(o: FlanneldOptions, log: Logger, signal: AbortSignal, health: DaemonHealth | undefined): Promise<NetworkRegistry> {
  if (o.remote !== undefined) return connectRemoteNetworkRegistry(o, log, signal);
  const root = await EtcdLeaseRegistry.connect({ ...etcdOptions(o), prefix: o.etcdPrefix, ...(health ? { observer: health.etcdObserver } : {}) });
  return root.networks();
}
