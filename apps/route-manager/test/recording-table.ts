// A CloudRouteTable double for unit and integration tests of the route manager: routes in memory,
// every call recorded, faults injected per operation. The real cloud libs are tested against the
// fake clouds (libs/testing); this stands in for them only where the manager's own logic is tested.
import type { CloudRoute, CloudRouteTable } from '@flannel-ts/cloud-routes';
import { RetryableError } from '@flannel-ts/retry';

type Operation = 'list' | 'insert' | 'delete';

export class RecordingTable implements CloudRouteTable {
  readonly description = 'test route table';
  /** Routes the manager owns (named flannel-test-*). */
  readonly routes = new Map<string, CloudRoute>();
  /** Routes of someone else in the same table: never listed, never to be touched. */
  readonly foreign = new Map<string, CloudRoute>();
  /** Every call: `list`, `insert <name>`, `delete <name>`, failed ones marked `!`. */
  readonly calls: string[] = [];
  private readonly faults = new Map<Operation, Error[]>();
  private inFlight = 0;
  /** Most calls in flight at once. */
  maxInFlight = 0;

  static nameOf(subnet: string): string {
    return `flannel-test-${subnet.replace(/[./]/g, '-')}`;
  }

  /** The next `times` calls of `op` throw `error` (default: a retryable 503). */
  failNext(op: Operation, times: number, error: Error = new RetryableError(`${op}: 503 backendError`)): void {
    this.faults.set(op, [...(this.faults.get(op) ?? []), ...Array.from({ length: times }, () => error)]);
  }

  /** subnet → publicIp of the owned routes, sorted, for comparing with etcd. */
  state(): Record<string, string | undefined> {
    return Object.fromEntries([...this.routes.values()].map((r) => [r.subnet, r.publicIp] as const).sort());
  }

  async list(): Promise<CloudRoute[]> {
    return this.call('list', 'list', () => [...this.routes.values()]);
  }

  async insert(subnet: string, publicIp: string): Promise<CloudRoute> {
    const name = RecordingTable.nameOf(subnet);
    return this.call('insert', `insert ${name}`, () => {
      if (this.routes.has(name)) throw new RetryableError(`inserting ${name}: alreadyExists`);
      const route = { name, subnet, publicIp };
      this.routes.set(name, route);
      return route;
    });
  }

  async delete(route: CloudRoute): Promise<void> {
    return this.call('delete', `delete ${route.name}`, () => {
      this.routes.delete(route.name);
    });
  }

  private async call<T>(op: Operation, label: string, body: () => T): Promise<T> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      // A cloud answers later, never in the same tick.
      await new Promise((resolve) => setImmediate(resolve));
      const fault = this.faults.get(op)?.shift();
      if (fault) {
        this.calls.push(`${label} !`);
        throw fault;
      }
      this.calls.push(label);
      return body();
    } finally {
      this.inFlight--;
    }
  }
}
