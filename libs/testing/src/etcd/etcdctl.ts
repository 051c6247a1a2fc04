import { runChecked } from '../run.js';

export interface EtcdctlTarget {
  readonly endpoint: string;
  /** Run etcdctl inside this network namespace (the etcd of a lab's switch). */
  readonly netns?: string | undefined;
}

/** Runs `etcdctl --endpoints=<endpoint> ...args` with the v3 API; returns stdout, throws with stderr. */
export function runEtcdctl(target: EtcdctlTarget, args: readonly string[], input?: string): Promise<string> {
  const etcdctlArgs = [`--endpoints=${target.endpoint}`, ...args];
  const [file, fileArgs] =
    target.netns === undefined
      ? ['etcdctl', etcdctlArgs]
      : ['ip', ['netns', 'exec', target.netns, 'etcdctl', ...etcdctlArgs]];
  return runChecked(file, fileArgs, { env: { ETCDCTL_API: '3' }, input, timeoutMs: 20_000 });
}
