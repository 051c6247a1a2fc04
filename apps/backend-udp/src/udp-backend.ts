import { formatIP4, formatIP4Net, sameNet, subnetKey } from '@flannel-ts/ip';
import { releaseMemorySoon } from '@flannel-ts/sys';
import type { Backend, CreateBackend, Lease, PeerEvent } from '@flannel-ts/backend-protocol';
import { logCountersPeriodically } from './counters-log.js';
import { datapathSamples } from './datapath-metrics.js';
import { UdpDatapath } from './datapath.js';
import { configureTun, readdressTun } from './tun-setup.js';
import { UDP_OVERHEAD, udpOptions } from './udp-config.js';

const FAILURE_CHECK_MS = 1_000;

/**
 * udp: flannel's userspace tunnel. A TUN device `flannel0` holds `<lease IP>/32` with MTU
 * external − 28 and the route `<Network> dev flannel0`; a native packet pump carries each inner
 * IPv4 packet as one UDP datagram to the peer whose subnet contains its destination, on `Port`.
 * The device lives as long as this process: a restart recreates it (same address and route).
 */
export const createUdpBackend: CreateBackend = async (init, { log, fail }) => {
  const { iface, config } = init;
  const options = udpOptions(config.backend);
  const mtu = iface.mtu - UDP_OVERHEAD;
  if (mtu < 68) throw new Error(`interface ${iface.name} has MTU ${iface.mtu}: udp needs at least ${68 + UDP_OVERHEAD}`);

  const peers = new Map<string, Lease>();
  let datapath: UdpDatapath | undefined;
  let tunIndex = 0;
  let own: Lease | undefined;
  let peersKnown = false;
  let failureTimer: NodeJS.Timeout | undefined;
  const stopCountersLog = logCountersPeriodically(log, () => datapath?.counters());

  const pushPeers = () => {
    if (!datapath || !peersKnown) return;
    datapath.setPeers([...peers.values()].map((lease) => ({ subnet: lease.subnet, publicIp: lease.publicIp })));
  };
  const apply = (event: PeerEvent) => {
    const key = subnetKey(event.lease.subnet);
    if (event.type === 'removed') peers.delete(key);
    else peers.set(key, event.lease);
  };
  // A packet thread stops only on a fatal error (the TUN device deleted, say): end the backend so
  // that flanneld restarts it, which recreates the device.
  const watchFailures = (dp: UdpDatapath) => {
    failureTimer = setInterval(() => {
      const failure = dp.failure();
      if (failure === undefined) return;
      clearInterval(failureTimer);
      fail(new Error(`udp datapath stopped: ${failure}`));
    }, FAILURE_CHECK_MS);
    failureTimer.unref();
  };

  const open = (lease: Lease): UdpDatapath => {
    const dp = UdpDatapath.open({ offloads: options.offloads, ...(init.tunName ? { nameTemplate: init.tunName } : {}) });
    try {
      tunIndex = configureTun(dp.tunName, { address: lease.subnet.ip, mtu, network: config.network });
      dp.bind(iface.ifaceAddr, options.port);
      dp.start(lease.subnet.ip, mtu);
    } catch (error) {
      dp.close();
      throw error;
    }
    const features = dp.features();
    const on = [features.vnetHeader && 'TUN offloads', features.gso && 'UDP GSO', features.gro && 'UDP GRO'].filter(Boolean);
    log.info(
      `${dp.tunName}: ${formatIP4(lease.subnet.ip)}/32, MTU ${mtu}, route ${formatIP4Net(config.network)}; ` +
        `UDP ${formatIP4(iface.ifaceAddr)}:${options.port}; ${features.queues} queues${features.steering ? ' steered by flow' : ''}; ${on.length > 0 ? on.join(', ') : 'plain path'}`,
    );
    if (options.offloads && features.problem) log.warn(`udp offloads off: ${features.problem}`);
    if (features.steeringProblem) log.warn(`udp queues not steered by flow (each peer's flows share one queue): ${features.steeringProblem}`);
    watchFailures(dp);
    return dp;
  };

  const backend: Backend = {
    propose: async () => ({ mtu }),
    leaseGranted: async (lease) => {
      if (!datapath) {
        datapath = open(lease);
        pushPeers();
      } else if (own && !sameNet(own.subnet, lease.subnet)) {
        readdressTun(tunIndex, lease.subnet.ip, config.network);
        datapath.setTunAddress(lease.subnet.ip);
        log.info(`${datapath.tunName}: lease changed to ${formatIP4Net(lease.subnet)}`);
      }
      own = lease;
    },
    peersSnapshot: async (snapshot) => {
      peersKnown = true;
      peers.clear();
      snapshot.forEach((lease) => apply({ type: 'added', lease }));
      pushPeers();
      releaseMemorySoon();
    },
    peersChanged: async (events) => {
      events.forEach(apply);
      pushPeers();
    },
    close: async () => {
      clearInterval(failureTimer);
      stopCountersLog();
      datapath?.close();
    },
    status: () => {
      if (!datapath) return { counters: { peers: peers.size }, detail: 'no lease yet' };
      const f = datapath.features();
      const mode = f.vnetHeader ? `offloads on${f.gso ? ', gso' : ''}${f.gro ? ', gro' : ''}` : 'plain path';
      const counters = datapath.counters();
      return {
        counters: { peers: peers.size, ...counters },
        metrics: { schema: 1, samples: datapathSamples(counters) },
        detail: `${datapath.tunName} ${own ? formatIP4(own.subnet.ip) : '?'}/32, ${peers.size} peers, ${mode}`,
      };
    },
  };
  return backend;
};
