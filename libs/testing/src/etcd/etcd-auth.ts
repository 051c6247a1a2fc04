import type { EtcdServer } from './etcd-server.js';

export interface EtcdAuthOptions {
  /** The password of etcd's `root` user, which enabling auth requires. */
  readonly rootPassword: string;
  /** A user allowed to read and write every key under `prefix` (and nothing else). */
  readonly user: { readonly name: string; readonly password: string; readonly prefix: string };
}

/**
 * Turns on etcd's username/password auth: `root`, and a user whose role may read and write the
 * keys under one prefix. etcdctl of `server` logs in as root from then on.
 */
export async function enableEtcdAuth(server: EtcdServer, { rootPassword, user }: EtcdAuthOptions): Promise<void> {
  const role = `${user.name}-role`;
  await server.etcdctl(['user', 'add', `root:${rootPassword}`]);
  await server.etcdctl(['role', 'add', role]);
  await server.etcdctl(['role', 'grant-permission', role, '--prefix=true', 'readwrite', user.prefix]);
  await server.etcdctl(['user', 'add', `${user.name}:${user.password}`]);
  await server.etcdctl(['user', 'grant-role', user.name, role]);
  await server.etcdctl(['auth', 'enable']);
  server.useEtcdctlUser(`root:${rootPassword}`);
}
