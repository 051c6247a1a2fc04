import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assertBuilt, flannelctl, golden } from './ctl-harness.js';

// The /status JSON of flanneld's health endpoint as documented in docs/flannelctl.md.
const SINGLE = {
  version: '0.1.0',
  pid: 1234,
  mode: 'single',
  ready: false,
  reason: 'backend restarting',
  networks: [
    {
      name: '',
      network: '10.244.0.0/16',
      backend: 'vxlan',
      lease: { subnet: '10.244.1.0/24', publicIp: '192.0.2.11', expiration: '2026-12-05T22:40:00.000Z' },
      subnetFile: '/run/flannel/subnet.env',
      backendPid: 1240,
      backendRestarts: 1,
      ready: false,
      reason: 'backend restarting',
      backendStatus: {
        detail: '2 routes',
        counters: { routes: 2 },
        kernel: {
          wanted: 3,
          present: 2,
          missing: ['route 10.244.2.0/24 via 192.0.2.12 dev eth0'],
          repaired: [{ entry: 'fdb aa:bb:cc:00:00:12 dst 192.0.2.12 dev flannel.1', at: '2026-12-04T22:40:01.000Z' }],
        },
      },
    },
  ],
};

const MULTI = {
  version: '0.1.0',
  pid: 99,
  mode: 'multi',
  ready: false,
  reason: 'network "blue": waiting for a lease',
  networks: [
    { name: 'green', network: null, backend: null, lease: null, subnetFile: '/run/flannel/networks/green.env', backendPid: null, backendRestarts: 0, ready: false, reason: 'waiting for the network config', backendStatus: null },
    { name: 'blue', network: '10.7.0.0/16', backend: 'host-gw', lease: null, backendPid: null, backendRestarts: 0, ready: false, reason: 'waiting for a lease', backendStatus: null },
    {
      name: 'red', network: '10.8.0.0/16', backend: 'udp', lease: { subnet: '10.8.3.0/24', publicIp: '192.0.2.11', expiration: null },
      backendPid: 301, backendRestarts: 2, ready: true, reason: null, backendStatus: { detail: 'ok' },
    },
  ],
};

let server: Server;
let port: number;
let served: unknown = SINGLE;
let paths: string[] = [];

beforeAll(async () => {
  assertBuilt();
  server = createServer((req, res) => {
    paths.push(req.url ?? '');
    if (req.url !== '/status') {
      res.writeHead(404).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(typeof served === 'string' ? served : JSON.stringify(served));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

describe('flannelctl status (against a server serving the documented /status JSON)', () => {
  test('single mode: lease, backend, restarts, readiness, kernel report (golden); --json passes it on', async () => {
    served = SINGLE;
    paths = [];
    const text = await flannelctl(['status', '--healthz-port', String(port)]);
    expect(text).toMatchObject({ exitCode: 0, stderr: '' });
    expect(text.stdout).toBe(golden('status-single.txt', `${text.stdout}\n`).trimEnd());
    expect(paths).toEqual(['/status']);
    const json = await flannelctl(['status', '--json'], { env: { FLANNELD_HEALTHZ_PORT: String(port), FLANNELD_HEALTHZ_IP: '127.0.0.1' } });
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(SINGLE);
  });

  test('multi mode: a block per network, parts not known yet (null) said so (golden)', async () => {
    served = MULTI;
    const text = await flannelctl(['status', '--healthz-port', String(port)]);
    expect(text).toMatchObject({ exitCode: 0, stderr: '' });
    expect(text.stdout).toBe(golden('status-multi.txt', `${text.stdout}\n`).trimEnd());
  });

  test('health endpoint off, daemon not listening, not JSON: one line each, exit 1', async () => {
    expect(await flannelctl(['status'])).toMatchObject({
      exitCode: 1,
      stdout: '',
      stderr: "flannelctl: status: flanneld's health endpoint is off here: set --healthz-port (or FLANNELD_HEALTHZ_PORT) to the port flanneld serves it on",
    });
    // The discard port: nothing listens there, and unlike a freed port no parallel test can take it.
    const closed = 9;
    const down = await flannelctl(['status', '--healthz-port', String(closed)]);
    expect(down).toMatchObject({ exitCode: 1, stdout: '' });
    expect(down.stderr).toMatch(new RegExp(`^flannelctl: status: flanneld at http://127\\.0\\.0\\.1:${closed}/status did not answer: [^\\n]*ECONNREFUSED[^\\n]*$`));
    served = '<html>';
    const garbage = await flannelctl(['status', '--healthz-port', String(port)]);
    expect(garbage.exitCode).toBe(1);
    expect(garbage.stderr).toMatch(/^flannelctl: status: http:\/\/127\.0\.0\.1:\d+\/status did not serve JSON: [^\n]+$/);
    served = { ready: true };
    expect(await flannelctl(['status', '--healthz-port', String(port)])).toMatchObject({
      exitCode: 1,
      stderr: `flannelctl: status: http://127.0.0.1:${port}/status served an unexpected status: "networks" is not a list`,
    });
  });
});
