import type { Logger } from 'pino';
import { ExitError } from '@flannel-ts/cli';
import { errorText } from '@flannel-ts/retry';
import type { EtcdReachability, FlannelMetrics, HealthServer, ReadyState } from '@flannel-ts/health-server';
import type { EtcdRequestObserver } from '@flannel-ts/subnet';
import { NetworkProbe } from './network-probe.js';
import type { FlanneldOptions } from './options.js';
import { VERSION } from './version.js';

export type DaemonMode = 'single' | 'multi' | 'server';

/** Requests still running when flanneld exits get this long. */
const CLOSE_GRACE_MS = 3_000;

/**
 * The daemon's health listener (`--healthz-ip:--healthz-port`): `/healthz`, `/readyz`, `/metrics`
 * and `/status`, answered from the networks' probes, the etcd requests seen and the server state.
 */
export class DaemonHealth {
  private readonly probes = new Map<string, NetworkProbe>();
  private readonly etcd: EtcdReachability;
  private readonly metrics: FlannelMetrics;
  private server: HealthServer | undefined;
  private listening = false;

  /** Starts the listener when `--healthz-port` asks for one; exits 1 naming the address when it cannot listen. */
  static async start(o: FlanneldOptions, mode: DaemonMode, log: Logger): Promise<DaemonHealth | undefined> {
    if (o.healthzPort === 0) return undefined;
    // Loaded only when asked for: prom-client is not evaluated at all by a daemon without health.
    const lib = await import('@flannel-ts/health-server');
    const health = new DaemonHealth(o, mode, log, lib);
    health.server = await lib.startHealthServer({
      host: o.healthzIp,
      port: o.healthzPort,
      log,
      source: {
        ready: () => health.ready(),
        metrics: () => health.metrics.exposition(),
        status: () => health.status(),
      },
    }).catch((err: Error) => {
      throw new ExitError(`--healthz-port=${o.healthzPort}: ${errorText(err)}`, 1);
    });
    return health;
  }

  private constructor(
    private readonly o: FlanneldOptions,
    private readonly mode: DaemonMode,
    private readonly log: Logger,
    lib: typeof import('@flannel-ts/health-server'),
  ) {
    this.etcd = new lib.EtcdReachability();
    this.metrics = new lib.FlannelMetrics({
      multi: mode === 'multi',
      daemonReady: () => this.ready().ready,
      warn: (line) => log.warn(line),
    });
  }

  /** Told of every etcd request: their durations, and how long etcd has been failing. */
  readonly etcdObserver: EtcdRequestObserver = {
    request: (op, seconds, ok) => {
      this.metrics.etcdRequest(op, seconds);
      this.etcd.record(ok);
    },
  };

  /** A network starting: returns its probe and the function that takes it away when it stops. */
  addNetwork(name: string, envFile: string): { probe: NetworkProbe; remove: () => void } {
    const probe = new NetworkProbe(name, envFile, (p, generation, status) =>
      this.metrics.backendSamples(p.name, p.config?.backendType ?? 'unknown', generation, status?.metrics),
    );
    this.probes.set(name, probe);
    const removeMetrics = this.metrics.addNetwork(name, () => probe.figures());
    return {
      probe,
      remove: () => {
        if (this.probes.get(name) === probe) this.probes.delete(name);
        removeMetrics();
      },
    };
  }

  /** Server mode: ready once the lease server listens. */
  serverListening(): void {
    this.listening = true;
  }

  ready(): ReadyState {
    const etcdMs = this.etcd.unreachableForMs();
    if (etcdMs > this.o.healthzEtcdGraceMs) return { ready: false, reason: `etcd unreachable for ${Math.round(etcdMs / 1000)}s` };
    if (this.mode === 'server') return this.listening ? { ready: true } : { ready: false, reason: 'starting the server' };
    if (this.probes.size === 0) return { ready: false, reason: this.mode === 'multi' ? 'no network joined yet' : 'starting' };
    for (const probe of this.probes.values()) {
      const reason = probe.reason;
      if (reason !== undefined) return { ready: false, reason: this.mode === 'multi' ? `network "${probe.name}": ${reason}` : reason };
    }
    return { ready: true };
  }

  status(): object {
    const { ready, reason } = this.ready();
    return {
      version: VERSION,
      pid: process.pid,
      mode: this.mode,
      ready,
      reason: reason ?? null,
      networks: [...this.probes.values()].map((p) => p.status()),
    };
  }

  /** Stops the listener; requests still running get 3 s. */
  async close(): Promise<void> {
    await this.server?.close(CLOSE_GRACE_MS);
    this.log.debug('Health endpoint closed');
  }
}
