import { alreadyExists, badRequest, notFound } from './google-error.js';

export const SELF_LINK_BASE = 'https://www.googleapis.com/compute/v1/';

/** A route as the Compute API shows it (the fields flannel reads and writes). */
export interface FakeRoute {
  readonly name: string;
  readonly destRange: string;
  readonly network: string;
  readonly priority: number;
  readonly nextHopInstance?: string;
  readonly nextHopIp?: string;
  readonly tags?: readonly string[];
}

export type OperationStatus = 'PENDING' | 'RUNNING' | 'DONE';

export interface FakeOperation {
  readonly name: string;
  readonly operationType: 'insert' | 'delete';
  readonly targetLink: string;
  status: OperationStatus;
  /** Polls left before it turns DONE. */
  pollsLeft: number;
  /** Applied when it turns DONE; returns an error (code, message) for `operation.error`. */
  readonly effect: () => { code: string; message: string } | undefined;
  error?: { code: string; message: string };
}

/** The fake project's routes and operations; route changes of an operation happen when it turns DONE. */
export class ComputeState {
  readonly routes = new Map<string, FakeRoute>();
  readonly operations = new Map<string, FakeOperation>();
  private ids = 0;

  constructor(readonly project: string) {}

  routeLink(name: string): string {
    return `${SELF_LINK_BASE}projects/${this.project}/global/routes/${name}`;
  }

  routeJson(route: FakeRoute): Record<string, unknown> {
    return {
      kind: 'compute#route',
      id: String(1000 + [...this.routes.keys()].indexOf(route.name)),
      creationTimestamp: '2024-01-01T00:00:00.000-07:00',
      ...route,
      selfLink: this.routeLink(route.name),
    };
  }

  getRoute(name: string): FakeRoute {
    const route = this.routes.get(name);
    if (!route) throw notFound(`projects/${this.project}/global/routes/${name}`);
    return route;
  }

  /** Validates an insert now (as the API does) and queues the change behind an operation. */
  insertRoute(route: FakeRoute, polls: number, quota: number | undefined): FakeOperation {
    if (!/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(route.name)) throw badRequest(`Invalid value for field 'resource.name': '${route.name}'.`);
    if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(route.destRange)) throw badRequest(`Invalid value for field 'resource.destRange': '${route.destRange}'.`);
    if (!route.network) throw badRequest("Invalid value for field 'resource.network': ''. The network must be specified.");
    if (this.routes.has(route.name)) throw alreadyExists(`projects/${this.project}/global/routes/${route.name}`);
    return this.operation('insert', this.routeLink(route.name), polls, () => {
      if (quota !== undefined && this.routes.size >= quota) return { code: 'QUOTA_EXCEEDED', message: `Quota 'ROUTES' exceeded.  Limit: ${quota}.0 globally.` };
      if (this.routes.has(route.name)) return { code: 'RESOURCE_ALREADY_EXISTS', message: `The resource 'projects/${this.project}/global/routes/${route.name}' already exists` };
      this.routes.set(route.name, route);
      return undefined;
    });
  }

  deleteRoute(name: string, polls: number): FakeOperation {
    this.getRoute(name);
    return this.operation('delete', this.routeLink(name), polls, () => {
      if (!this.routes.delete(name)) return { code: 'RESOURCE_NOT_FOUND', message: `The resource 'projects/${this.project}/global/routes/${name}' was not found` };
      return undefined;
    });
  }

  /** One poll: counts down, then applies the change and reports DONE. */
  poll(name: string): FakeOperation {
    const op = this.operations.get(name);
    if (!op) throw notFound(`projects/${this.project}/global/operations/${name}`);
    this.advance(op);
    return op;
  }

  /**
   * Finishes every operation still pending: GCE finishes an operation whether anyone polls it or
   * not, so when the client has moved on to other calls, the change it started has happened.
   */
  settle(): void {
    for (const op of this.operations.values()) while (op.status !== 'DONE') this.advance(op);
  }

  advance(op: FakeOperation): void {
    if (op.status === 'DONE') return;
    if (op.pollsLeft > 0) {
      op.pollsLeft--;
      op.status = 'RUNNING';
      return;
    }
    op.status = 'DONE';
    const error = op.effect();
    if (error) op.error = error;
  }

  operationJson(op: FakeOperation): Record<string, unknown> {
    return {
      kind: 'compute#operation',
      id: op.name.replace(/\D/g, ''),
      name: op.name,
      operationType: op.operationType,
      targetLink: op.targetLink,
      status: op.status,
      progress: op.status === 'DONE' ? 100 : 0,
      insertTime: '2024-01-01T00:00:00.000-07:00',
      selfLink: `${SELF_LINK_BASE}projects/${this.project}/global/operations/${op.name}`,
      ...(op.error
        ? { error: { errors: [op.error] }, httpErrorStatusCode: op.error.code === 'QUOTA_EXCEEDED' ? 403 : 400, httpErrorMessage: op.error.code === 'QUOTA_EXCEEDED' ? 'FORBIDDEN' : 'BAD REQUEST' }
        : {}),
    };
  }

  private operation(type: FakeOperation['operationType'], targetLink: string, polls: number, effect: FakeOperation['effect']): FakeOperation {
    const op: FakeOperation = { name: `operation-${Date.now()}-${++this.ids}`, operationType: type, targetLink, status: 'PENDING', pollsLeft: polls, effect };
    this.operations.set(op.name, op);
    // With no polls asked for, the change is done before the answer, as a fast API would be.
    if (polls === 0) this.advance(op);
    return op;
  }
}

