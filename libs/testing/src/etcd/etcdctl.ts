import { runChecked } from '../run.js';

export interface EtcdctlTarget {
  readonly endpoint: string;
  /** Run etcdctl inside this network namespace (the etcd of a lab's switch). */
  readonly netns?: string | undefined;
  /** For an https endpoint: the CA to verify it, and a client certificate when it asks for one. */
  readonly tls?: { readonly caFile: string; readonly certFile?: string; readonly keyFile?: string } | undefined;
  /** `user:password` once etcd's auth is enabled. */
  readonly user?: string | undefined;
}

/** Runs `etcdctl --endpoints=<endpoint> ...args` with the v3 API; returns stdout, throws with stderr. */
export function runEtcdctl(target: EtcdctlTarget, args: readonly string[], input?: string): Promise<string> {
  const { tls, user } = target;
  const etcdctlArgs = [
    `--endpoints=${target.endpoint}`,
    ...(tls ? [`--cacert=${tls.caFile}`] : []),
    ...(tls?.certFile ? [`--cert=${tls.certFile}`, `--key=${tls.keyFile}`] : []),
    ...(user !== undefined ? [`--user=${user}`] : []),
    ...args,
  ];
  const [file, fileArgs] =
    target.netns === undefined
      ? ['etcdctl', etcdctlArgs]
      : ['ip', ['netns', 'exec', target.netns, 'etcdctl', ...etcdctlArgs]];
  return runChecked(file, fileArgs, { env: { ETCDCTL_API: '3' }, input, timeoutMs: 20_000 });
}
