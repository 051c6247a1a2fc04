/** The JSON flanneld's health endpoint serves at `/status` (written down in docs/flannelctl.md). */
export interface DaemonStatus {
  readonly version: string;
  readonly pid: number;
  readonly mode: 'single' | 'multi' | 'server';
  readonly ready: boolean;
  /** Why not ready; null or absent when ready. */
  readonly reason?: string | null;
  readonly networks: readonly NetworkStatus[];
}

export interface NetworkStatus {
  /** "" in single mode. */
  readonly name: string;
  /** null until the network config is read. */
  readonly network: string | null;
  readonly backend: string | null;
  /** `expiration` is null while the lease's time left is not known. */
  readonly lease: { readonly subnet: string; readonly publicIp: string; readonly expiration: string | null } | null;
  readonly subnetFile?: string;
  readonly backendPid: number | null;
  readonly backendRestarts: number;
  readonly ready: boolean;
  readonly reason?: string | null;
  readonly backendStatus: BackendStatus | null;
}

export interface BackendStatus {
  readonly detail?: string;
  readonly counters?: Readonly<Record<string, number>>;
  readonly kernel?: KernelReport;
}

export interface KernelReport {
  readonly wanted: number;
  readonly present: number;
  readonly missing: readonly string[];
  readonly repaired: readonly { readonly entry: string; readonly at: string }[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks the parts flannelctl reads; the problem, or undefined. Fields it does not know are left
 * alone, so a newer daemon's additions do not break an older flannelctl.
 */
export function statusProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'not a JSON object';
  if (typeof value.ready !== 'boolean') return '"ready" is not true or false';
  if (!Array.isArray(value.networks)) return '"networks" is not a list';
  for (const [i, n] of value.networks.entries()) {
    if (!isObject(n)) return `networks[${i}] is not an object`;
    if (n.lease !== null && n.lease !== undefined && !isObject(n.lease)) return `networks[${i}].lease is not an object`;
    const s = n.backendStatus;
    if (s !== null && s !== undefined && !isObject(s)) return `networks[${i}].backendStatus is not an object`;
    const k = isObject(s) ? s.kernel : undefined;
    if (k !== undefined && (!isObject(k) || !Array.isArray(k.missing) || !Array.isArray(k.repaired))) {
      return `networks[${i}].backendStatus.kernel lacks its "missing" and "repaired" lists`;
    }
  }
  return undefined;
}
