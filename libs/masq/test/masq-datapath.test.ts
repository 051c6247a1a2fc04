import { parseIP4Net } from '@flannel-ts/ip';
import { addPod, createLab, type Lab, type Pod } from '@flannel-ts/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ETCD_PREFIX, MasqKeeper } from '../src/index.js';
import { BACKENDS, captureLog, iptablesBinary, labRun, sourceSeenBy, startPeerServer } from './masq-test-helpers.js';

const OUTSIDE_IP = '203.0.113.1';
const HOST_OUTSIDE_IP = '203.0.113.2';
const REMOTE_POD_IP = '10.244.9.2';
const HOST_REMOTE_IP = '10.244.9.1';

/**
 * One host with a pod (10.244.7.2 in its lease 10.244.7.0/24), an "outside" namespace holding
 * 203.0.113.1, and a namespace standing for a pod on another host (10.244.9.2, inside the flannel
 * network 10.244.0.0/16 but outside this host's lease). Every link is born inside lab namespaces.
 */
async function buildWorld(lab: Lab): Promise<{ pod: Pod; outsideNs: string; remoteNs: string }> {
  const host = lab.hosts[0]!;
  const pod = await addPod(lab, host, { subnet: '10.244.7.1/24', mtu: 1500 });
  const outsideNs = `${lab.prefix}-out`;
  const remoteNs = `${lab.prefix}-rp`;
  await lab.addNamespace(outsideNs);
  await lab.addNamespace(remoteNs);
  await labRun(lab, host.ns, ['ip', '-batch', '-'], [
    `link add up0 type veth peer name eth0 netns ${outsideNs}`,
    `addr add ${HOST_OUTSIDE_IP}/24 dev up0`,
    'link set up0 up',
    `link add rp0 type veth peer name eth0 netns ${remoteNs}`,
    `addr add ${HOST_REMOTE_IP}/24 dev rp0`,
    'link set rp0 up',
    '',
  ].join('\n'));
  // The outside knows the way back to the flannel network, so only masquerading changes a source.
  await labRun(lab, outsideNs, ['ip', '-batch', '-'], [`addr add ${OUTSIDE_IP}/24 dev eth0`, 'link set eth0 up', `route add 10.244.0.0/16 via ${HOST_OUTSIDE_IP}`, ''].join('\n'));
  await labRun(lab, remoteNs, ['ip', '-batch', '-'], [`addr add ${REMOTE_POD_IP}/24 dev eth0`, 'link set eth0 up', `route add default via ${HOST_REMOTE_IP}`, ''].join('\n'));
  for (const ns of [pod.ns, outsideNs, remoteNs]) startPeerServer(lab, ns);
  return { pod, outsideNs, remoteNs };
}

describe.each(BACKENDS)('masquerade datapath with %s', (backend) => {
  let lab: Lab;
  let world: Awaited<ReturnType<typeof buildWorld>>;

  beforeAll(async () => {
    lab = await createLab({ hosts: 1 });
    world = await buildWorld(lab);
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  it('masquerades pod traffic leaving the network and keeps pod-to-pod sources', async () => {
    const host = lab.hosts[0]!;
    const { pod, outsideNs, remoteNs } = world;
    // Before any rule the outside sees the pod itself.
    expect(await sourceSeenBy(lab, pod.ns, OUTSIDE_IP)).toBe(pod.ip);

    if (backend !== 'nftables') {
      // Docker's FORWARD DROP: only our FORWARD accept rules can let flannel traffic through.
      await labRun(lab, host.ns, [iptablesBinary(backend), '-P', 'FORWARD', 'DROP']);
      expect(await sourceSeenBy(lab, pod.ns, OUTSIDE_IP, { tries: 2 })).toBeUndefined();
    }

    const { log } = captureLog();
    const keeper = new MasqKeeper(
      {
        network: parseIP4Net('10.244.0.0/16'),
        subnet: parseIP4Net(pod.subnet),
        etcdPrefix: DEFAULT_ETCD_PREFIX,
        ipMasq: true,
        forwardRules: true,
        backend,
        netns: host.ns,
      },
      log,
    );
    await keeper.apply();
    expect(keeper.backend).toBe(backend);

    expect(await sourceSeenBy(lab, pod.ns, OUTSIDE_IP)).toBe(HOST_OUTSIDE_IP);
    expect(await sourceSeenBy(lab, pod.ns, REMOTE_POD_IP)).toBe(pod.ip);
    expect(await sourceSeenBy(lab, outsideNs, pod.ip)).toBe(OUTSIDE_IP);
    // From outside to a pod of another host: masqueraded so the answer comes back through this host.
    expect(await sourceSeenBy(lab, outsideNs, REMOTE_POD_IP)).toBe(HOST_REMOTE_IP);
    expect(await sourceSeenBy(lab, remoteNs, pod.ip)).toBe(REMOTE_POD_IP);
  });
});
