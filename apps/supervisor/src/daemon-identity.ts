import { createHash } from 'node:crypto';
import path from 'node:path';

/**
 * A daemon is named by its etcd prefix and subnet file (see --state-dir in docs/compat.md): several
 * daemons on one host, or lab hosts sharing one filesystem, never share a state directory.
 */
export function daemonIdentity(etcdPrefix: string, subnetFile: string, stateDirRoot: string): { id: string; stateDir: string } {
  const id = createHash('sha256').update(`${etcdPrefix}\u0000${path.resolve(subnetFile)}`).digest('hex').slice(0, 16);
  return { id, stateDir: path.join(path.resolve(stateDirRoot), id) };
}
