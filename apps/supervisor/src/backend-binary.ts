import { accessSync, constants, realpathSync } from 'node:fs';
import path from 'node:path';
import { ExitError } from '@flannel-ts/cli';

/** The one table from backend type to the binary that implements it (alloc runs in-process). */
export const BACKEND_BINARIES: Readonly<Record<string, string>> = {
  udp: 'flannel-backend-udp',
  vxlan: 'flannel-backend-vxlan',
  'host-gw': 'flannel-backend-hostgw',
  'aws-vpc': 'flannel-backend-awsvpc',
  gce: 'flannel-backend-gce',
};

export interface BinarySearch {
  /** flanneld's path as invoked (process.argv[1]). */
  readonly invokedAs: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The places the README lists, in order: $FLANNELD_BACKEND_DIR, beside flanneld as invoked
 * (e.g. node_modules/.bin), beside its real path, ../backend-<name>/ beside its real path (the
 * dist/apps layout), then $PATH.
 */
export function backendCandidates(binary: string, s: BinarySearch): string[] {
  const candidates: string[] = [];
  if (s.env.FLANNELD_BACKEND_DIR) candidates.push(path.join(s.env.FLANNELD_BACKEND_DIR, binary));
  candidates.push(path.join(path.dirname(s.invokedAs), binary));
  let real: string | undefined;
  try {
    real = realpathSync(s.invokedAs);
  } catch {
    real = undefined;
  }
  if (real) {
    candidates.push(path.join(path.dirname(real), binary));
    candidates.push(path.join(path.dirname(real), '..', binary.replace(/^flannel-/, ''), binary));
  }
  for (const dir of (s.env.PATH ?? '').split(':')) if (dir) candidates.push(path.join(dir, binary));
  return [...new Set(candidates.map((c) => path.resolve(c)))];
}

/** The first executable candidate; exits 1 naming every path tried when there is none. */
export function findBackendBinary(type: string, s: BinarySearch): string {
  const binary = BACKEND_BINARIES[type];
  if (!binary) throw new ExitError(`no backend binary is known for type ${type}`, 1);
  const candidates = backendCandidates(binary, s);
  const found = candidates.find((c) => {
    try {
      accessSync(c, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!found) throw new ExitError(`backend ${type}: ${binary} not found; searched ${candidates.join(', ')}`, 1);
  return found;
}
