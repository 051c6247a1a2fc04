import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ACTIONS } from './actions.js';
import { Ec2Error } from './ec2-error.js';
import { Ec2World } from './ec2-world.js';
import { Ec2Faults } from './faults.js';
import { FakeImds } from './fake-imds.js';
import { QueryParams } from './query-params.js';
import { actionResponse, errorResponse } from './xml.js';

export interface Ec2RequestRecord {
  readonly service: 'ec2' | 'imds';
  /** The EC2 action, or `METHOD /path` for the metadata service. */
  readonly action: string;
  readonly params: Readonly<Record<string, string>>;
  readonly status: number;
  /** EC2's error code when it failed. */
  readonly code?: string;
}

/** The world every fake starts with: one VPC, one subnet, the VPC's main route table, and the instance the metadata service describes. */
export interface Ec2Ids {
  readonly vpcId: string;
  readonly subnetId: string;
  readonly mainTableId: string;
  readonly instanceId: string;
  readonly privateIp: string;
}

export interface FakeEc2 {
  readonly world: Ec2World;
  readonly faults: Ec2Faults;
  readonly imds: FakeImds;
  readonly ids: Ec2Ids;
  /** `http://127.0.0.1:<port>` of the EC2 Query API and of the metadata service. */
  readonly ec2Endpoint: string;
  readonly imdsEndpoint: string;
  readonly ec2Port: number;
  readonly imdsPort: number;
  /** The variables that point the AWS SDK (and so our binaries) at this fake, with dummy credentials. */
  env(): Record<string, string>;
  /** Every request so far, in order. */
  readonly requests: readonly Ec2RequestRecord[];
  /** How many EC2 calls of this action arrived (answered or failed). */
  calls(action: string): number;
  close(): Promise<void>;
}

export interface StartFakeEc2Options {
  readonly vpcCidr?: string;
  readonly subnetCidr?: string;
  /** The private IP of the instance the metadata service describes. */
  readonly privateIp?: string;
  readonly availabilityZone?: string;
}

/**
 * A stateful fake of the EC2 Query API (form POST with Action → XML, EC2's error envelope and
 * statuses) and of the instance metadata service, on loopback, so the real AWS SDK can be tested.
 */
export async function startFakeEc2(o: StartFakeEc2Options = {}): Promise<FakeEc2> {
  const world = new Ec2World();
  const vpcId = world.addVpc(o.vpcCidr ?? '172.31.0.0/16');
  const subnetId = world.addSubnet(vpcId, o.subnetCidr ?? '172.31.16.0/20');
  const mainTableId = world.addRouteTable({ vpcId, main: true });
  const availabilityZone = o.availabilityZone ?? 'eu-west-1a';
  const self = world.addInstance({ subnetId, privateIp: o.privateIp ?? '172.31.16.10', availabilityZone });
  const ids: Ec2Ids = { vpcId, subnetId, mainTableId, instanceId: self.instanceId, privateIp: self.privateIp };
  const faults = new Ec2Faults();
  const imds = new FakeImds({ instanceId: self.instanceId, availabilityZone });
  const requests: Ec2RequestRecord[] = [];

  const ec2 = createServer((req, res) => {
    readBody(req).then(
      (body) => {
        const params = new QueryParams(new URLSearchParams(body));
        const finish = () => {
          const { status, code } = answerEc2(req, res, params, world, faults);
          requests.push({ service: 'ec2', action: params.action, params: params.toObject(), status, ...(code ? { code } : {}) });
        };
        if (faults.delay > 0) setTimeout(finish, faults.delay);
        else finish();
      },
      () => res.destroy(),
    );
  });
  const metadata = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const status = imds.handle(req, res, path);
    requests.push({ service: 'imds', action: `${req.method} ${path}`, params: {}, status: Number(status) });
  });
  const [ec2Port, imdsPort] = await Promise.all([listen(ec2), listen(metadata)]);
  const ec2Endpoint = `http://127.0.0.1:${ec2Port}`;
  const imdsEndpoint = `http://127.0.0.1:${imdsPort}`;
  return {
    world,
    faults,
    imds,
    ids,
    ec2Endpoint,
    imdsEndpoint,
    ec2Port,
    imdsPort,
    env: () => ({
      AWS_ENDPOINT_URL_EC2: ec2Endpoint,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imdsEndpoint,
      AWS_ACCESS_KEY_ID: 'AKIDFAKEFLANNELTEST',
      AWS_SECRET_ACCESS_KEY: 'fake-secret-for-tests',
      // No shared config or credentials file of the machine may change what the test set.
      AWS_CONFIG_FILE: '/nonexistent/aws-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    }),
    requests,
    calls: (action) => requests.filter((r) => r.service === 'ec2' && r.action === action).length,
    close: async () => {
      await Promise.all(
        [ec2, metadata].map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
}

function answerEc2(req: IncomingMessage, res: ServerResponse, params: QueryParams, world: Ec2World, faults: Ec2Faults): { status: number; code?: string } {
  const requestId = randomUUID();
  const send = (status: number, xml: string) => res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8' }).end(xml);
  try {
    if (req.method !== 'POST') throw new Ec2Error('InvalidAction', `The action ${req.method} is not valid for this web service.`);
    const action = ACTIONS[params.action];
    if (!action) throw new Ec2Error('InvalidAction', `The action ${params.action || '(none)'} is not valid for this web service.`);
    const fault = faults.errorFor(params.action);
    if (fault) throw fault;
    send(200, actionResponse(params.action, requestId, action(world, params)));
    return { status: 200 };
  } catch (error) {
    if (!(error instanceof Ec2Error)) throw error;
    send(error.status, errorResponse(error.code, error.message, requestId));
    return { status: error.status, code: error.code };
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks).toString('utf8'))).on('error', reject);
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject).listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}
