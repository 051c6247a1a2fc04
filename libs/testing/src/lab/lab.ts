import { spawnChild, type ChildProcess, type SpawnOptions } from '../child-process.js';
import { run, type RunOptions, type RunResult } from '../run.js';
import {
  LAB_BRIDGE,
  LAB_HOST_IFACE,
  LAB_MAX_HOSTS,
  LAB_SUBNET_PREFIX_LEN,
  LAB_SWITCH_IP,
  assertLabPrefix,
  hostIp,
  hostNsName,
  isLabNamespace,
  makeLabPrefix,
  switchNsName,
  switchPortName,
} from './names.js';
import { addNetns, deleteNetns, ipBatch, listNetns } from './netns.js';
import { killProcessesIn, removeOwnerFile, sweepLeftoverLabs, writeOwnerFile } from './owner.js';

export interface LabHost {
  /** h1, h2, ... */
  readonly name: string;
  /** Its network namespace, e.g. ft1x2yabc-h1. */
  readonly ns: string;
  /** 192.0.2.(10+i) */
  readonly ip: string;
  readonly iface: string;
}

/** A long-running process inside a lab namespace. `pid` is the command itself (ip netns exec execs it). */
export type LabProcess = ChildProcess;

export interface Lab {
  readonly prefix: string;
  /** Namespace holding bridge br0 (192.0.2.1/24); where the lab's etcd runs. */
  readonly switchNs: string;
  readonly switchIp: string;
  readonly hosts: readonly LabHost[];
  /** Every namespace of the lab (switch first, then hosts, then any added ones such as pods); live. */
  readonly namespaces: readonly string[];
  /** Runs a command to completion inside one of the lab's namespaces; never throws for a non-zero exit. */
  exec(ns: string, cmd: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Starts a tracked long-running command inside one of the lab's namespaces. */
  spawn(ns: string, cmd: readonly string[], options?: SpawnOptions): LabProcess;
  /**
   * Creates a further namespace (`<prefix>-<something>`, with `lo` up) that belongs to the lab: exec and
   * spawn accept it, destroy and the sweep of a dead owner's lab delete it. For harness helpers (pods).
   */
  addNamespace(name: string): Promise<void>;
  /** Stops what runs in a namespace added by addNamespace and deletes it; one already gone is fine. */
  removeNamespace(name: string): Promise<void>;
  /** Registers clean-up to run on destroy (before the namespaces go), last registered first. */
  addCleanup(cleanup: () => Promise<void> | void): void;
  /** Stops tracked processes and clean-ups, deletes the namespaces and the owner file; idempotent. */
  destroy(): Promise<void>;
}

/** Namespace names we accept from addNamespace: `<prefix>-` and then a short [a-z0-9] tag. */
const NS_NAME_PATTERN = /^[a-z0-9]{1,12}-[a-z0-9]{1,8}$/;

export interface CreateLabOptions {
  readonly hosts: number;
  /** Default: a run-unique `ft<base36 pid><3 random chars>`. */
  readonly prefix?: string;
}

/**
 * Builds a switch namespace with a bridge and `hosts` host namespaces wired to it by veth pairs.
 * Every link is created directly inside the lab's namespaces; the root namespace is never touched.
 */
export async function createLab(options: CreateLabOptions): Promise<Lab> {
  const { hosts: hostCount } = options;
  if (!Number.isInteger(hostCount) || hostCount < 1 || hostCount > LAB_MAX_HOSTS) {
    throw new Error(`createLab hosts must be an integer from 1 to ${LAB_MAX_HOSTS}, got ${hostCount}`);
  }
  const prefix = options.prefix ?? makeLabPrefix();
  assertLabPrefix(prefix);
  await sweepLeftoverLabs();

  const switchNs = switchNsName(prefix);
  const hosts: LabHost[] = Array.from({ length: hostCount }, (_, i) => ({
    name: `h${i + 1}`,
    ns: hostNsName(prefix, i + 1),
    ip: hostIp(i + 1),
    iface: LAB_HOST_IFACE,
  }));
  const namespaces = [switchNs, ...hosts.map((host) => host.ns)];
  /** Namespaces this lab created (and so may delete); fills up while building. */
  const owned: string[] = [];
  /** Tracked processes and the namespace each runs in. */
  const processes = new Map<LabProcess, string>();
  const baseNamespaces = new Set(namespaces);
  const cleanups: Array<() => Promise<void> | void> = [];
  let destroying: Promise<void> | undefined;

  const assertLabNs = (ns: string, what: string): void => {
    if (!namespaces.includes(ns)) {
      throw new Error(`refusing to ${what} in namespace ${JSON.stringify(ns)}: not one of lab ${prefix}'s (${namespaces.join(', ')})`);
    }
    if (destroying !== undefined) throw new Error(`refusing to ${what} in ${ns}: lab ${prefix} is being destroyed`);
  };

  const lab: Lab = {
    prefix,
    switchNs,
    switchIp: LAB_SWITCH_IP,
    hosts,
    namespaces,
    exec(ns, cmd, runOptions) {
      assertLabNs(ns, `run ${cmd.join(' ')}`);
      return run('ip', ['netns', 'exec', ns, ...cmd], runOptions);
    },
    spawn(ns, cmd, spawnOptions) {
      assertLabNs(ns, `start ${cmd.join(' ')}`);
      const child = spawnChild('ip', ['netns', 'exec', ns, ...cmd], spawnOptions);
      processes.set(child, ns);
      void child.exited.then(() => processes.delete(child));
      return child;
    },
    async addNamespace(name) {
      if (!isLabNamespace(prefix, name) || !NS_NAME_PATTERN.test(name)) {
        throw new Error(`lab ${prefix} cannot add namespace ${JSON.stringify(name)}: it must be ${prefix}-<1-8 of [a-z0-9]>`);
      }
      if (destroying !== undefined) throw new Error(`refusing to add namespace ${name}: lab ${prefix} is being destroyed`);
      if (namespaces.includes(name)) throw new Error(`lab ${prefix} already has namespace ${name}`);
      namespaces.push(name);
      try {
        await addNetns(name); // fails, touching nothing, if someone else's namespace has this name
      } catch (error) {
        forget(name);
        throw error;
      }
      owned.push(name);
      await ipBatch(name, ['link set lo up']);
      // destroy() may have started while ip was running and missed the new namespace.
      if (destroying !== undefined) {
        await deleteNetns(name);
        throw new Error(`lab ${prefix} was destroyed while adding namespace ${name}`);
      }
    },
    async removeNamespace(name) {
      if (baseNamespaces.has(name)) {
        throw new Error(`refusing to remove ${name}: it is one of lab ${prefix}'s switch/host namespaces`);
      }
      if (!namespaces.includes(name)) return;
      const inside = [...processes].filter(([, ns]) => ns === name).map(([child]) => child);
      await Promise.all(inside.map((child) => child.stop()));
      await killProcessesIn([name]);
      await deleteNetns(name);
      forget(name);
    },
    addCleanup(cleanup) {
      cleanups.push(cleanup);
    },
    destroy() {
      destroying ??= tearDown(prefix, owned, processes, cleanups);
      return destroying;
    },
  };

  const forget = (name: string): void => {
    for (const list of [namespaces, owned]) {
      const index = list.indexOf(name);
      if (index >= 0) list.splice(index, 1);
    }
  };

  const clashing = (await listNetns()).filter((ns) => namespaces.includes(ns));
  if (clashing.length > 0) {
    throw new Error(`lab prefix ${prefix} is taken: namespace(s) ${clashing.join(', ')} already exist`);
  }
  writeOwnerFile(prefix);
  try {
    await build(switchNs, hosts, owned);
  } catch (error) {
    await lab.destroy().catch(() => undefined);
    throw new Error(`building lab ${prefix}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return lab;
}

async function build(switchNs: string, hosts: readonly LabHost[], owned: string[]): Promise<void> {
  for (const ns of [switchNs, ...hosts.map((host) => host.ns)]) {
    await addNetns(ns);
    owned.push(ns);
  }
  await ipBatch(switchNs, [
    'link set lo up',
    `link add ${LAB_BRIDGE} type bridge`,
    `addr add ${LAB_SWITCH_IP}/${LAB_SUBNET_PREFIX_LEN} dev ${LAB_BRIDGE}`,
    `link set ${LAB_BRIDGE} up`,
  ]);
  await Promise.all(hosts.map((host, i) => buildHost(switchNs, host, switchPortName(i + 1))));
}

async function buildHost(switchNs: string, host: LabHost, switchPort: string): Promise<void> {
  // Run from inside the host namespace so both veth ends are born in lab namespaces.
  await ipBatch(host.ns, [
    'link set lo up',
    `link add ${host.iface} type veth peer name ${switchPort} netns ${switchNs}`,
    `link set ${host.iface} mtu 1500`,
    `addr add ${host.ip}/${LAB_SUBNET_PREFIX_LEN} dev ${host.iface}`,
    `link set ${host.iface} up`,
    `route add default via ${LAB_SWITCH_IP}`,
  ]);
  await ipBatch(switchNs, [`link set ${switchPort} master ${LAB_BRIDGE}`, `link set ${switchPort} up`]);
  const sysctl = await run('ip', ['netns', 'exec', host.ns, 'sysctl', '-w', 'net.ipv4.ip_forward=1']);
  if (sysctl.exitCode !== 0) throw new Error(`sysctl net.ipv4.ip_forward=1 in ${host.ns}: ${sysctl.stderr.trim()}`);
}

async function tearDown(
  prefix: string,
  namespaces: readonly string[],
  processes: Map<LabProcess, string>,
  cleanups: Array<() => Promise<void> | void>,
): Promise<void> {
  const errors: unknown[] = [];
  const attempt = async (step: () => Promise<void> | void): Promise<void> => {
    try {
      await step();
    } catch (error) {
      errors.push(error);
    }
  };
  await Promise.all([...processes.keys()].map((child) => attempt(async () => void (await child.stop()))));
  for (const cleanup of cleanups.reverse()) await attempt(cleanup);
  // Anything still inside (a child's own children, say) would keep a namespace alive unseen.
  await attempt(() => killProcessesIn(namespaces));
  for (const ns of namespaces) await attempt(() => deleteNetns(ns));
  if (errors.length === 0) removeOwnerFile(prefix); // else leave it: a later sweep retries
  if (errors.length > 0) throw new AggregateError(errors, `destroying lab ${prefix}: ${errors.length} step(s) failed`);
}
