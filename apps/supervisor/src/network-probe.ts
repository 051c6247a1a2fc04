import type { NetworkConfig } from '@flannel-ts/config';
import { formatIP4, formatIP4Net, sizeOf } from '@flannel-ts/ip';
import type { NetworkFigures } from '@flannel-ts/health-server';
import { isCompatible, type LeaseKeeper, type LeaseWatcher } from '@flannel-ts/subnet';
import type { Datapath } from './datapath.js';
import type { MasqRules } from './masq.js';
import { Readiness } from './readiness.js';

/** The parts of one network's run the health endpoint reads; runNetwork fills them in as they start. */
export class NetworkProbe {
  readonly readiness = new Readiness();
  config: NetworkConfig | undefined;
  keeper: LeaseKeeper | undefined;
  watcher: LeaseWatcher | undefined;
  masq: MasqRules | undefined;
  private dp: Datapath | undefined;

  constructor(
    readonly name: string,
    readonly envFile: string,
    /** Told of the backend's status messages, with the restart count at their arrival. */
    private readonly onBackendStatus: (probe: NetworkProbe, generation: number, status: ReturnType<Datapath['lastStatus']>) => void,
  ) {}

  get datapath(): Datapath | undefined {
    return this.dp;
  }

  set datapath(dp: Datapath | undefined) {
    this.dp = dp;
    dp?.onStatus((status) => this.onBackendStatus(this, dp.restarts, status));
  }

  /** Why the network is not doing its job; undefined when it is. */
  get reason(): string | undefined {
    const reason = this.readiness.reason;
    if (reason !== undefined) return reason;
    const dp = this.dp;
    if (dp && this.config?.backendType !== 'alloc' && dp.backendPid === undefined) return 'backend restarting';
    return undefined;
  }

  figures(): NetworkFigures {
    const leases = this.watcher?.leases();
    const expiresInMs = this.keeper?.expiresInMs;
    return {
      ...(leases ? { leases: leases.size } : {}),
      ...(leases && this.config ? { subnetsFree: subnetsFree(this.config, leases.values()) } : {}),
      ...(expiresInMs === undefined ? {} : { leaseExpirySeconds: expiresInMs / 1000 }),
      renewalsOk: this.keeper?.stats.renewalsOk ?? 0,
      renewalsFailed: this.keeper?.stats.renewalsFailed ?? 0,
      relists: this.watcher?.stats.relists ?? 0,
      resumes: this.watcher?.stats.resumes ?? 0,
      backendRestarts: this.dp?.restarts ?? 0,
      masqResyncs: this.masq?.resyncs ?? 0,
      ready: this.reason === undefined,
    };
  }

  /** This network in `GET /status`. */
  status(): object {
    const lease = this.keeper?.lease;
    const expiresInMs = this.keeper?.expiresInMs;
    const last = this.dp?.lastStatus();
    const reason = this.reason;
    return {
      name: this.name,
      network: this.config ? formatIP4Net(this.config.network) : null,
      backend: this.config?.backendType ?? null,
      lease: lease
        ? {
            subnet: formatIP4Net(lease.subnet),
            publicIp: formatIP4(lease.attrs.publicIp),
            expiration: expiresInMs === undefined ? null : new Date(Date.now() + expiresInMs).toISOString(),
          }
        : null,
      subnetFile: this.envFile,
      backendPid: this.dp?.backendPid ?? null,
      backendRestarts: this.dp?.restarts ?? 0,
      ready: reason === undefined,
      reason: reason ?? null,
      backendStatus: last
        ? {
            ...(last.detail === undefined ? {} : { detail: last.detail }),
            ...(last.counters === undefined ? {} : { counters: last.counters }),
            ...(last.kernel === undefined ? {} : { kernel: last.kernel }),
          }
        : null,
    };
  }
}

/** Subnets the config can hand out that no lease of the right size holds (a count, not a search). */
function subnetsFree(config: NetworkConfig, leases: Iterable<{ subnet: Parameters<typeof isCompatible>[1] }>): number {
  const total = Math.floor((config.subnetMax - config.subnetMin) / sizeOf(config.subnetLen)) + 1;
  let held = 0;
  for (const lease of leases) if (isCompatible(config, lease.subnet)) held++;
  return Math.max(0, total - held);
}
