import { RetryableError } from '@flannel-ts/retry';
import type { GoogleAuth } from 'google-auth-library';
import type { ClientOptions } from 'google-gax';
import { apiError, apiFailure, failureError, isNotFound } from './api-error.js';
import { computeEndpoint } from './compute-endpoint.js';

/** A GCE route, the fields flannel reads and writes. */
export interface GceRoute {
  readonly name: string;
  readonly destRange: string;
  readonly network: string;
  readonly priority?: number;
  readonly nextHopInstance?: string;
  readonly nextHopIp?: string;
}

export interface GceApiOptions {
  readonly project: string;
  /** FLANNEL_GCE_COMPUTE_ENDPOINT's value; unset = Google's API. */
  readonly endpoint?: string | undefined;
  /** Time between polls of an operation (default 1 s) and how many polls before giving up (default 100). */
  readonly pollIntervalMs?: number;
  readonly maxPolls?: number;
  /** Deadline of one API call (default 20 s). */
  readonly callTimeoutMs?: number;
  /** Stops waiting for operations (the backend is closing). */
  readonly signal?: AbortSignal;
}

interface Operation {
  name?: string | null;
  status?: string | number | null;
  error?: { errors?: Array<{ code?: string | null; message?: string | null }> | null } | null;
}

// The generated clients, loaded on first use: they weigh a lot, and `--help` should not pay for them.
type Clients = Awaited<ReturnType<typeof loadClients>>;

async function loadClients(options: ClientOptions) {
  const { routes, networks, instances, operations } = await import('./compute-modules.js');
  return {
    routes: new routes.RoutesClient(options),
    networks: new networks.NetworksClient(options),
    instances: new instances.InstancesClient(options),
    operations: new operations.GlobalOperationsClient(options),
  };
}

/**
 * The Compute API calls flannel makes, over the REST transport, with credentials from the default
 * chain (on an instance: the metadata server's service-account token). Every failure is a
 * RetryableError with one line naming the call; changes wait for their operation to be DONE.
 */
export class GceApi {
  private constructor(
    private readonly o: GceApiOptions,
    private readonly clients: Clients,
  ) {}

  static async open(o: GceApiOptions): Promise<GceApi> {
    const { GoogleAuth } = (await import('./compute-modules.js')).googleAuth;
    // The project is known (the metadata server said it): without it the library would look for one,
    // running the gcloud CLI among other things.
    const auth: GoogleAuth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/compute'], projectId: o.project });
    const clients = await loadClients({ fallback: 'rest', auth, ...computeEndpoint(o.endpoint) });
    return new GceApi(o, clients);
  }

  get project(): string {
    return this.o.project;
  }

  async networkLink(network: string): Promise<string> {
    const [n] = await this.call(`getting network ${network} of project ${this.project}`, () =>
      this.clients.networks.get({ project: this.project, network }, this.callOptions()),
    );
    return required(n.selfLink, `network ${network}'s selfLink`);
  }

  async instanceLink(zone: string, instance: string): Promise<string> {
    const [i] = await this.call(`getting instance ${instance} in zone ${zone} of project ${this.project}`, () =>
      this.clients.instances.get({ project: this.project, zone, instance }, this.callOptions()),
    );
    return required(i.selfLink, `instance ${instance}'s selfLink`);
  }

  /** The route, or undefined when there is none of that name. */
  async getRoute(name: string): Promise<GceRoute | undefined> {
    try {
      const [r] = await this.clients.routes.get({ project: this.project, route: name }, this.callOptions());
      return toRoute(r);
    } catch (error) {
      if (isNotFound(apiFailure(error))) return undefined;
      throw apiError(`getting route ${name}`, this.project, error);
    }
  }

  /** Every route matching `filter` (`name eq flannel-default-.*`), all pages. */
  async listRoutes(filter: string): Promise<GceRoute[]> {
    const routes: GceRoute[] = [];
    let pageToken: string | undefined;
    do {
      const [items, , page] = await this.call(`listing routes (filter ${filter}) of project ${this.project}`, () =>
        this.clients.routes.list({ project: this.project, filter, ...(pageToken ? { pageToken } : {}) }, { ...this.callOptions(), autoPaginate: false }),
      );
      routes.push(...items.map(toRoute));
      pageToken = page?.nextPageToken ?? undefined;
    } while (pageToken);
    return routes;
  }

  /** Inserts the route and waits until its operation is DONE. */
  async insertRoute(route: GceRoute): Promise<void> {
    const doing = `inserting route ${route.name} (${route.destRange} → ${route.nextHopInstance ?? route.nextHopIp})`;
    const [op] = await this.call(doing, () => this.clients.routes.insert({ project: this.project, routeResource: { ...route, priority: route.priority ?? 1000 } }, this.callOptions()));
    await this.awaitOperation(doing, op.latestResponse as Operation);
  }

  /** Deletes the route and waits until its operation is DONE; false when it was already gone. */
  async deleteRoute(name: string): Promise<boolean> {
    const doing = `deleting route ${name}`;
    let op: Operation;
    try {
      const [started] = await this.clients.routes.delete({ project: this.project, route: name }, this.callOptions());
      op = started.latestResponse as Operation;
    } catch (error) {
      if (isNotFound(apiFailure(error))) return false;
      throw apiError(doing, this.project, error);
    }
    await this.awaitOperation(doing, op);
    return true;
  }

  close(): void {
    for (const client of Object.values(this.clients)) void client.close().catch(() => {});
  }

  /** Polls the operation once per interval until it is DONE, at most maxPolls times. */
  private async awaitOperation(doing: string, first: Operation): Promise<void> {
    const maxPolls = this.o.maxPolls ?? 100;
    let op = first;
    for (let polls = 0; !isDone(op); polls++) {
      if (polls >= maxPolls) throw new RetryableError(`${doing}: timeout waiting for operation ${op.name} to finish (${maxPolls} polls)`);
      await delay(this.o.pollIntervalMs ?? 1_000, this.o.signal);
      const name = required(op.name, 'the operation name');
      [op] = await this.call(`${doing}: polling operation ${name}`, () => this.clients.operations.get({ project: this.project, operation: name }, this.callOptions()));
    }
    const failed = op.error?.errors?.[0];
    if (failed) throw failureError(`${doing}: operation ${op.name} failed`, this.project, { reason: failed.code ?? 'UNKNOWN', message: failed.message ?? '' });
  }

  private callOptions() {
    return { timeout: this.o.callTimeoutMs ?? 20_000, maxRetries: 0 };
  }

  /** Runs one API call; whatever it throws (HTTP error, connection, credentials) becomes one retryable line. */
  private async call<T>(doing: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw apiError(doing, this.project, error);
    }
  }
}

function isDone(op: Operation): boolean {
  return op.status === 'DONE' || op.status === 2;
}

function toRoute(r: { name?: string | null; destRange?: string | null; network?: string | null; priority?: number | null; nextHopInstance?: string | null; nextHopIp?: string | null }): GceRoute {
  return {
    name: r.name ?? '',
    destRange: r.destRange ?? '',
    network: r.network ?? '',
    ...(r.priority !== null && r.priority !== undefined ? { priority: r.priority } : {}),
    ...(r.nextHopInstance ? { nextHopInstance: r.nextHopInstance } : {}),
    ...(r.nextHopIp ? { nextHopIp: r.nextHopIp } : {}),
  };
}

function required(value: string | null | undefined, what: string): string {
  if (!value) throw new RetryableError(`the Compute API answered without ${what}`);
  return value;
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
