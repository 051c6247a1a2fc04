import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ComputeApi, instanceLink, networkLink } from './compute-api.js';
import { ComputeState, type FakeRoute } from './compute-state.js';
import { Faults } from './faults.js';
import { answerMetadata, type MetadataIdentity } from './metadata-api.js';

export interface FakeGceOptions {
  /** Default 0: a free port. */
  readonly port?: number;
  readonly project?: string;
  readonly zone?: string;
  readonly network?: string;
  /** The instance the metadata server describes (the one flannel runs on). */
  readonly instance?: string;
}

export interface FakeGceRequest {
  /** `routes.insert`, `globalOperations.get`, `metadata instance/zone`, ... */
  readonly call: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** When it arrived (Date.now()). */
  readonly at: number;
}

/**
 * A fake GCE on 127.0.0.1: the Compute REST API v1 (routes, networks, instances, global operations,
 * Google's JSON errors) under /compute/v1 and the metadata server under /computeMetadata/v1, on one
 * port. Stateful; the test reads and changes its state, injects failures and reads the request log.
 */
export interface FakeGce {
  readonly port: number;
  /** `http://127.0.0.1:<port>`: the value of FLANNEL_GCE_COMPUTE_ENDPOINT. */
  readonly url: string;
  readonly project: string;
  readonly zone: string;
  readonly network: string;
  readonly instance: string;
  readonly networkLink: string;
  readonly instanceLink: string;
  /** GCE_METADATA_HOST, METADATA_SERVER_DETECTION and FLANNEL_GCE_COMPUTE_ENDPOINT pointing at this fake. */
  env(): Record<string, string>;
  readonly faults: Faults;
  /** Another instance in the fake project (a next hop for someone else's route). */
  addInstance(name: string, zone?: string): string;
  routes(): FakeRoute[];
  route(name: string): FakeRoute | undefined;
  /** Changes made "by someone else", at once (no operation). */
  putRoute(route: Omit<FakeRoute, 'network' | 'priority'> & Partial<Pick<FakeRoute, 'network' | 'priority'>>): void;
  deleteRoute(name: string): boolean;
  alterRoute(name: string, patch: Partial<Omit<FakeRoute, 'name'>>): void;
  requests(): readonly FakeGceRequest[];
  /** How many requests of one call so far. */
  count(call: string): number;
  close(): Promise<void>;
}

export async function startFakeGce(options: FakeGceOptions = {}): Promise<FakeGce> {
  const id: MetadataIdentity = {
    project: options.project ?? 'flannel-test',
    projectNumber: '123456789012',
    zone: options.zone ?? 'us-central1-a',
    instance: options.instance ?? 'node-1',
    network: options.network ?? 'default',
    token: 'ya29.fake-token',
  };
  const state = new ComputeState(id.project);
  const faults = new Faults();
  const instances = new Map([[id.instance, id.zone]]);
  const compute = new ComputeApi(state, { project: id.project, network: id.network, instances }, faults);
  const log: FakeGceRequest[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    if (url.pathname.startsWith('/computeMetadata/')) {
      const a = answerMetadata(url.pathname, header(req, 'metadata-flavor'), id);
      log.push({ call: a.call, method, path: url.pathname, status: a.status, at: Date.now() });
      res.writeHead(a.status, { 'Metadata-Flavor': 'Google', 'Content-Type': a.contentType });
      res.end(a.body);
      return;
    }
    if (faults.delayMs > 0) await new Promise((r) => setTimeout(r, faults.delayMs));
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const authorized = header(req, 'authorization') === `Bearer ${id.token}`;
    const a = compute.answer(method, url, body, authorized);
    log.push({ call: a.call, method, path: url.pathname, status: a.status, at: Date.now() });
    res.writeHead(a.status, { 'Content-Type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(a.body));
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`fake GCE bug: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const ownNetwork = networkLink(id.project, id.network);

  return {
    port,
    url,
    project: id.project,
    zone: id.zone,
    network: id.network,
    instance: id.instance,
    networkLink: ownNetwork,
    instanceLink: instanceLink(id.project, id.zone, id.instance),
    // assume-present: without it Google's libraries first probe the metadata server with a 3 s
    // deadline, which a loaded machine can miss, and then look for no token at all.
    env: () => ({ GCE_METADATA_HOST: `127.0.0.1:${port}`, METADATA_SERVER_DETECTION: 'assume-present', FLANNEL_GCE_COMPUTE_ENDPOINT: url }),
    faults,
    addInstance(name, zone = id.zone) {
      instances.set(name, zone);
      return instanceLink(id.project, zone, name);
    },
    routes: () => [...state.routes.values()],
    route: (name) => state.routes.get(name),
    putRoute(route) {
      state.routes.set(route.name, { network: ownNetwork, priority: 1000, ...route });
    },
    deleteRoute: (name) => state.routes.delete(name),
    alterRoute(name, patch) {
      const route = state.routes.get(name);
      if (!route) throw new Error(`fake GCE: no route ${name} to alter`);
      state.routes.set(name, { ...route, ...patch });
    },
    requests: () => log,
    count: (call) => log.filter((r) => r.call === call).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
