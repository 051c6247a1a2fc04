import { join } from 'node:path';
import { spawnChild, type ChildProcess } from '../child-process.js';
import { freePorts } from '../free-port.js';
import { fileSize, logTail } from '../log-tail.js';
import { tempDir } from '../temp-dir.js';
import { waitFor } from '../wait-for.js';
import type { CertFiles } from '../tls/test-ca.js';
import { runEtcdctl, type EtcdctlTarget } from './etcdctl.js';

export interface StartEtcdOptions {
  /** Run etcd (and etcdctl) inside this network namespace via `ip netns exec`. */
  readonly netns?: string;
  /** Address to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** Data directory to use instead of a fresh one in the temp dir (left in place by dispose). */
  readonly dataDir?: string;
  /** Fixed ports; default: free loopback ports, or 2379/2380 inside a netns (which is ours alone). */
  readonly clientPort?: number;
  readonly peerPort?: number;
  /**
   * Join a cluster instead of forming one alone: this member's name and every member's
   * `name=peerURL`. Members keep etcd's default raft timers, as a real cluster does.
   */
  readonly member?: { readonly name: string; readonly initialCluster: string; readonly token: string };
  /**
   * Serve clients over https with `server`'s certificate (make one with makeTestCa); etcdctl verifies it
   * with `caFile`. With `client`, etcd requires client certificates signed by `caFile`
   * (`--client-cert-auth --trusted-ca-file`) and etcdctl presents `client`.
   */
  readonly tls?: { readonly server: CertFiles; readonly caFile: string; readonly client?: CertFiles };
  /** More etcd flags, e.g. ['--max-txn-ops=1000']. */
  readonly extraArgs?: readonly string[];
  readonly readyTimeoutMs?: number;
}

export interface EtcdServer {
  /** Client URL, e.g. http://127.0.0.1:43121. */
  readonly endpoint: string;
  /** PID of the running etcd (changes on restart). */
  readonly pid: number;
  readonly dataDir: string;
  readonly logFile: string;
  readonly netns: string | undefined;
  /** `etcdctl --endpoints=<endpoint> ...args` (v3 API, inside the netns if any): stdout, or throws with stderr. */
  etcdctl(args: readonly string[], options?: { input?: string }): Promise<string>;
  /** Makes etcdctl (and the health checks of restarts) log in as `user:password` from now on, e.g. once auth is enabled. */
  useEtcdctlUser(user: string | undefined): void;
  /** SIGTERM, SIGKILL after 5 s; by PID. */
  stop(): Promise<void>;
  /** Stop, then start again on the same ports and data dir. */
  restart(): Promise<void>;
  /** SIGKILL (a crash), waits until it is gone. */
  kill9(): Promise<void>;
  /** Stop and remove the temp dir; safe to call more than once. */
  dispose(): Promise<void>;
}

const MEMBER_NAME = 'flannel-ts-test';
const START_ATTEMPTS = 5;

/** Launches Debian's etcd 3.4 on its own ports and data dir and waits until it serves requests. */
export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdServer> {
  const { netns } = options;
  const host = options.host ?? '127.0.0.1';
  const dir = tempDir('flannel-ts-etcd');
  const dataDir = options.dataDir ?? join(dir.path, 'data');
  const logFile = join(dir.path, 'etcd.log');
  const fixedPorts = options.clientPort !== undefined || options.peerPort !== undefined || netns !== undefined;
  const { tls } = options;
  const scheme = tls ? 'https' : 'http';
  let etcdctlUser: string | undefined;
  const target = (): EtcdctlTarget => ({
    endpoint,
    netns,
    user: etcdctlUser,
    tls: tls && { caFile: tls.caFile, ...(tls.client ?? {}) },
  });

  let child: ChildProcess | undefined;
  let endpoint = '';
  let peerPort = 0;
  let disposed = false;

  const launch = async (clientPortNow: number, peerPortNow: number): Promise<LaunchOutcome> => {
    const clientUrl = `${scheme}://${host}:${clientPortNow}`;
    const peerUrl = `http://${host}:${peerPortNow}`;
    const cluster = options.member;
    const args = [
      `--name=${cluster?.name ?? MEMBER_NAME}`,
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=${cluster?.initialCluster ?? `${MEMBER_NAME}=${peerUrl}`}`,
      '--initial-cluster-state=new',
      '--auto-compaction-retention=0',
      // A lone member cannot lose leadership; short timers only cut the ~1 s election after a restart.
      ...(cluster ? [`--initial-cluster-token=${cluster.token}`] : ['--heartbeat-interval=10', '--election-timeout=100']),
      '--logger=zap',
      '--log-outputs=stderr',
      ...(tls ? [`--cert-file=${tls.server.certFile}`, `--key-file=${tls.server.keyFile}`] : []),
      ...(tls?.client ? ['--client-cert-auth', `--trusted-ca-file=${tls.caFile}`] : []),
      ...(options.extraArgs ?? []),
    ];
    const logOffset = await fileSize(logFile);
    const started =
      netns === undefined
        ? spawnChild('etcd', args, { stdout: logFile, stderr: logFile })
        : spawnChild('ip', ['netns', 'exec', netns, 'etcd', ...args], { stdout: logFile, stderr: logFile });
    child = started;
    endpoint = clientUrl;
    peerPort = peerPortNow;
    const outcome = await waitUntilHealthy(started, target(), options.readyTimeoutMs ?? 10_000);
    if (outcome === 'ready') return { ready: true };
    await started.stop();
    const tail = await logTail(logFile, { fromOffset: logOffset });
    return { ready: false, reason: outcome, tail, portInUse: /address already in use/i.test(tail) };
  };

  const startFresh = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      const [clientPort, peer] = fixedPorts
        ? [options.clientPort ?? 2379, options.peerPort ?? 2380]
        : ((await freePorts(2, host)) as [number, number]);
      const outcome = await launch(clientPort, peer);
      if (outcome.ready) return;
      if (outcome.portInUse && !fixedPorts && attempt < START_ATTEMPTS) continue;
      throw startError(outcome, logFile);
    }
  };

  const stop = async (): Promise<void> => {
    await child?.stop();
  };

  try {
    await startFresh();
  } catch (error) {
    await dir.remove();
    throw error;
  }

  const server: EtcdServer = {
    get endpoint() {
      return endpoint;
    },
    get pid() {
      if (child === undefined) throw new Error('etcd was never started');
      return child.pid;
    },
    dataDir,
    logFile,
    netns,
    etcdctl: (args, etcdctlOptions) => runEtcdctl(target(), args, etcdctlOptions?.input),
    useEtcdctlUser(user) {
      etcdctlUser = user;
    },
    stop,
    async restart() {
      if (disposed) throw new Error(`etcd at ${endpoint} was disposed; cannot restart it`);
      await stop();
      const outcome = await launch(Number(new URL(endpoint).port), peerPort);
      if (!outcome.ready) throw startError(outcome, logFile);
    },
    async kill9() {
      if (child === undefined || child.hasExited()) return;
      child.kill('SIGKILL');
      await child.exited;
    },
    async dispose() {
      disposed = true;
      await stop();
      await dir.remove();
    },
  };
  return server;
}

type LaunchOutcome = { ready: true } | { ready: false; reason: string; tail: string; portInUse: boolean };

function startError(outcome: Exclude<LaunchOutcome, { ready: true }>, logFile: string): Error {
  return new Error(`etcd did not become ready: ${outcome.reason} (log ${logFile}):\n${outcome.tail}`);
}

/** 'ready', or why not: it exited early or stayed unhealthy past the timeout. */
async function waitUntilHealthy(
  child: ChildProcess,
  target: EtcdctlTarget,
  timeoutMs: number,
): Promise<string> {
  const giveUp = new AbortController();
  const exitedEarly = child.exited.then((exit) => {
    giveUp.abort();
    return `etcd exited during start-up (code ${exit.code}, signal ${exit.signal})`;
  });
  const healthy = waitFor(
    () =>
      runEtcdctl(target, ['endpoint', 'health', '--dial-timeout=1s', '--command-timeout=2s']).then(() => 'ready'),
    { timeoutMs, intervalMs: 50, what: `etcd health at ${target.endpoint}`, signal: giveUp.signal },
  ).catch((error: unknown) => (giveUp.signal.aborted ? exitedEarly : (error as Error).message));
  return Promise.race([healthy, exitedEarly]);
}
