import { startEtcd, type EtcdServer } from '../etcd/etcd-server.js';
import { runEtcdctl } from '../etcd/etcdctl.js';
import { waitFor } from '../wait-for.js';
import type { Lab } from './lab.js';
import {
  LAB_BRIDGE,
  LAB_MAX_ETCD_MEMBERS,
  LAB_SUBNET_PREFIX_LEN,
  etcdMemberIp,
  etcdMemberNsName,
  etcdMemberPortName,
} from './names.js';
import { ipBatch } from './netns.js';

export interface LabEtcdMember {
  /** m1, m2, ... (etcd's --name). */
  readonly name: string;
  /** The member's own namespace, wired to the lab's switch by one veth. */
  readonly ns: string;
  readonly ip: string;
  /** http://<ip>:2379 */
  readonly endpoint: string;
  readonly server: EtcdServer;
}

/** Which fault a member is under; 'up' when none. */
export type LabEtcdMemberState = 'up' | 'killed' | 'blackholed' | 'isolated';

export interface LabEtcdCluster {
  readonly members: readonly LabEtcdMember[];
  /** Every member's client URL, as a daemon's --etcd-endpoints lists them. */
  readonly endpoints: readonly string[];
  state(member: LabEtcdMember): LabEtcdMemberState;
  /** etcdctl from the switch namespace against the members under no fault: stdout, or throws with stderr. */
  etcdctl(args: readonly string[], options?: { input?: string }): Promise<string>;
  /** The member a majority of the members reports as leader; waits (hang guard) through an election. */
  leader(): Promise<LabEtcdMember>;
  /** SIGKILL: its clients get resets at once. */
  kill(member: LabEtcdMember): Promise<void>;
  /** Downs the member's switch port: its packets vanish both ways, nobody gets a reset. */
  blackhole(member: LabEtcdMember): Promise<void>;
  /**
   * Drops the member's raft traffic silently (nft inside its namespace): clients still reach it, its
   * peers do not, so it loses its leader while it keeps answering.
   */
  isolateFromPeers(member: LabEtcdMember): Promise<void>;
  /** Ends the member's fault (restarting a killed one) and waits until the cluster is healthy again. */
  heal(member: LabEtcdMember): Promise<void>;
  /** The members a process in namespace `ns` holds established client connections to. */
  connectedMembers(ns: string): Promise<LabEtcdMember[]>;
}

const CLIENT_PORT = 2379;
const PEER_PORT = 2380;
const CUT_TABLE = 'flannelts_cut';

/**
 * A cluster of `size` etcd members, each in its own lab namespace (`<prefix>-e<i>`, 192.0.2.(1+i))
 * joined to the lab's switch by its own veth, so one member can be killed, black-holed or cut off
 * from its peers while the others serve. The lab's destroy() disposes of it.
 */
export async function startLabEtcdCluster(lab: Lab, size = 3): Promise<LabEtcdCluster> {
  if (!Number.isInteger(size) || size < 1 || size > LAB_MAX_ETCD_MEMBERS) {
    throw new Error(`startLabEtcdCluster size must be an integer from 1 to ${LAB_MAX_ETCD_MEMBERS}, got ${size}`);
  }
  const indexes = Array.from({ length: size }, (_, i) => i + 1);
  for (const i of indexes) await wireMember(lab, i);
  const initialCluster = indexes.map((i) => `m${i}=http://${etcdMemberIp(i)}:${PEER_PORT}`).join(',');
  const started = await Promise.allSettled(
    indexes.map((i) =>
      startEtcd({
        netns: etcdMemberNsName(lab.prefix, i),
        host: etcdMemberIp(i),
        member: { name: `m${i}`, initialCluster, token: `flannel-ts-${lab.prefix}` },
        // As etcd 3.5 on does by default: a member back from a partition joins without forcing an
        // election (with 3.4's default, its inflated term costs the cluster its leader for seconds).
        extraArgs: ['--pre-vote=true'],
        readyTimeoutMs: 30_000,
      }),
    ),
  );
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  lab.addCleanup(async () => {
    await Promise.all(servers.map((s) => s.dispose()));
  });
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw new Error(`starting the ${size}-member etcd cluster of lab ${lab.prefix}`, { cause: failed.reason });

  const members: LabEtcdMember[] = indexes.map((i, k) => ({
    name: `m${i}`,
    ns: etcdMemberNsName(lab.prefix, i),
    ip: etcdMemberIp(i),
    endpoint: `http://${etcdMemberIp(i)}:${CLIENT_PORT}`,
    server: servers[k]!,
  }));
  const states = new Map<LabEtcdMember, LabEtcdMemberState>(members.map((m) => [m, 'up']));
  const indexOf = (m: LabEtcdMember) => members.indexOf(m) + 1;
  const up = () => members.filter((m) => states.get(m) === 'up');
  const etcdctl = (args: readonly string[], options?: { input?: string }) =>
    runEtcdctl({ endpoint: up().map((m) => m.endpoint).join(','), netns: lab.switchNs }, args, options?.input);
  const setState = (m: LabEtcdMember, next: LabEtcdMemberState, from: LabEtcdMemberState = 'up') => {
    if (states.get(m) !== from) throw new Error(`etcd member ${m.name} is ${states.get(m)}, not ${from}`);
    states.set(m, next);
  };

  const cluster: LabEtcdCluster = {
    members,
    endpoints: members.map((m) => m.endpoint),
    state: (m) => states.get(m)!,
    etcdctl,
    async leader() {
      return waitFor(
        async () => {
          const reports = await Promise.all(up().map((m) => statusOf(m).catch(() => undefined)));
          const votes = new Map<string, number>();
          for (const r of reports) if (r && r.leader !== '0') votes.set(r.leader, (votes.get(r.leader) ?? 0) + 1);
          const [id] = [...votes].find(([, n]) => n > size / 2) ?? [];
          return id === undefined ? undefined : up().find((_, k) => reports[k]?.id === id);
        },
        { what: `a leader of lab ${lab.prefix}'s etcd cluster` },
      );
    },
    async kill(m) {
      setState(m, 'killed');
      await m.server.kill9();
    },
    async blackhole(m) {
      setState(m, 'blackholed');
      await ipBatch(lab.switchNs, [`link set ${etcdMemberPortName(indexOf(m))} down`]);
    },
    async isolateFromPeers(m) {
      setState(m, 'isolated');
      const drop = `tcp dport ${PEER_PORT} drop; tcp sport ${PEER_PORT} drop;`;
      const ruleset = [
        `table inet ${CUT_TABLE} {`,
        `  chain in { type filter hook input priority 0; policy accept; ${drop} }`,
        `  chain out { type filter hook output priority 0; policy accept; ${drop} }`,
        '}',
      ].join('\n');
      const result = await lab.exec(m.ns, ['nft', '-f', '-'], { input: `${ruleset}\n` });
      if (result.exitCode !== 0) throw new Error(`nft in ${m.ns}: ${result.stderr.trim()}`);
    },
    async heal(m) {
      const state = states.get(m);
      if (state === 'killed') await m.server.restart();
      if (state === 'blackholed') await ipBatch(lab.switchNs, [`link set ${etcdMemberPortName(indexOf(m))} up`]);
      if (state === 'isolated') {
        const result = await lab.exec(m.ns, ['nft', 'delete', 'table', 'inet', CUT_TABLE]);
        if (result.exitCode !== 0) throw new Error(`nft in ${m.ns}: ${result.stderr.trim()}`);
      }
      states.set(m, 'up');
      await waitFor(() => etcdctl(['endpoint', 'health', '--cluster', '--command-timeout=2s']).then(() => true), {
        what: `etcd member ${m.name} to serve again in a healthy cluster`,
      });
      await cluster.leader();
    },
    async connectedMembers(ns) {
      const { stdout, exitCode, stderr } = await lab.exec(ns, ['ss', '-Htn', 'state', 'established']);
      if (exitCode !== 0) throw new Error(`ss in ${ns}: ${stderr.trim()}`);
      const peers = new Set(stdout.split('\n').map((line) => line.trim().split(/\s+/).at(-1)));
      return members.filter((m) => peers.has(`${m.ip}:${CLIENT_PORT}`));
    },
  };
  return cluster;
}

/** Member i's namespace and its veth to the switch's bridge, both ends born in lab namespaces. */
async function wireMember(lab: Lab, i: number): Promise<void> {
  const ns = etcdMemberNsName(lab.prefix, i);
  const port = etcdMemberPortName(i);
  await lab.addNamespace(ns);
  await ipBatch(ns, [
    `link add eth0 type veth peer name ${port} netns ${lab.switchNs}`,
    `addr add ${etcdMemberIp(i)}/${LAB_SUBNET_PREFIX_LEN} dev eth0`,
    'link set eth0 up',
  ]);
  await ipBatch(lab.switchNs, [`link set ${port} master ${LAB_BRIDGE}`, `link set ${port} up`]);
}

/** A member's own id and the leader it follows ('0': none), from `endpoint status`. */
async function statusOf(m: LabEtcdMember): Promise<{ id: string; leader: string }> {
  const json = await runEtcdctl({ endpoint: m.endpoint, netns: m.ns }, ['endpoint', 'status', '-w', 'json', '--command-timeout=2s']);
  // The ids are 64-bit: read them as text, JSON.parse would round them.
  const id = /"member_id":(\d+)/.exec(json)?.[1];
  const leader = /"leader":(\d+)/.exec(json)?.[1];
  if (id === undefined || leader === undefined) throw new Error(`etcdctl endpoint status of ${m.name} printed no ids: ${json.slice(0, 200)}`);
  return { id, leader };
}
