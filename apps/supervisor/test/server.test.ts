// flanneld --listen as systemd starts it: a socket passed on fd 3 (LISTEN_FDS / LISTEN_PID), READY=1
// once it serves, and one clear line for each bad fd value.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, createLab, FLANNELD, startLabEtcd, tempDir, waitFor, type EtcdServer, type Lab, type TempDir } from '@flannel-ts/testing';

const ACTIVATE = fileURLToPath(new URL('./socket-activate.py', import.meta.url));
const NOTIFY = fileURLToPath(new URL('./notify-receiver.py', import.meta.url));

let lab: Lab;
let etcd: EtcdServer;
let tmp: TempDir;
let runNo = 0;

beforeAll(async () => {
  assertBuilt();
  tmp = tempDir('flanneld-server');
  lab = await createLab({ hosts: 1 });
  etcd = await startLabEtcd(lab);
  await etcd.etcdctl(['put', '/coreos.com/network/config', '{"Network":"10.5.0.0/16","Backend":{"Type":"vxlan"}}']);
});
afterAll(async () => {
  await lab?.destroy();
  await tmp?.remove();
});

const ns = () => lab.hosts[0]!.ns;

function messagesIn(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => (JSON.parse(l) as { msg: string }).msg);
}

/** flanneld --listen=<listen> under the activation wrapper; its log file and port file. */
function activated(listen: string, kind: 'socket' | 'file', pid: 'self' | 'other', env: Record<string, string> = {}) {
  const n = ++runNo;
  const log = path.join(tmp.path, `flanneld-${n}.log`);
  const portFile = path.join(tmp.path, `port-${n}`);
  const args = [`--etcd-endpoints=http://${lab.switchIp}:2379`, `--listen=${listen}`];
  const proc = lab.spawn(ns(), ['python3', ACTIVATE, portFile, kind, pid, FLANNELD, ...args], { stdout: log, stderr: log, env });
  return { proc, log, portFile, messages: () => messagesIn(log) };
}

describe('flanneld --listen with a socket from systemd', () => {
  it('serves on the passed socket and sends READY=1 once it does', async () => {
    const socketPath = path.join(tmp.path, 'notify.sock');
    const notifyOut = path.join(tmp.path, 'notify.out');
    const receiver = lab.spawn(ns(), ['python3', NOTIFY, socketPath, path.join(tmp.path, 'no-env-file')], { stdout: notifyOut });
    const notified = () => (existsSync(notifyOut) ? readFileSync(notifyOut, 'utf8') : '');
    await waitFor(() => notified().includes('listening'), { what: 'the notify receiver' });

    const server = activated('fd://', 'socket', 'self', { NOTIFY_SOCKET: socketPath });
    await waitFor(() => notified().includes('READY=1'), { what: 'READY=1' });
    expect(server.messages()).toContain('Serving the lease API on fd://3');

    const port = readFileSync(server.portFile, 'utf8');
    const curl = await lab.exec(ns(), ['curl', '-sS', '-w', '\n%{http_code} %{content_type}', `http://127.0.0.1:${port}/v1/_/config`]);
    expect(curl.stdout).toBe(
      '{"Network":"10.5.0.0/16","SubnetMin":"10.5.1.0","SubnetMax":"10.5.255.0","SubnetLen":24,"Backend":{"Type":"vxlan"}}\n' +
        '\n200 application/json; charset=utf-8',
    );
    await waitFor(() => server.messages().includes('GET /v1/_/config - 200'), { what: 'the request log line' });

    const exit = await server.proc.stop();
    expect(exit.code).toBe(0);
    await receiver.stop();
  });

  it.each([
    ['fd://4', 'socket', 'self', 'Error listening on fd://4: fd 4 is out of range (4)'],
    ['fd://x', 'socket', 'self', 'Error listening on fd://x: fd index is not a number'],
    ['fd://', 'socket', 'other', 'Error listening on fd://: fd 3 is out of range (3)'],
    ['fd://3', 'file', 'self', /^Error listening on fd:\/\/3: fd 3 was not socket activated: listen E[A-Z]+: /],
  ] as const)('--listen=%s with fd 3 a %s, LISTEN_PID %s: exit 1, one line', async (listen, kind, pid, line) => {
    const server = activated(listen, kind, pid);
    const exit = await server.proc.exited;
    expect(exit.code).toBe(1);
    const fatal = server.messages().at(-1);
    if (typeof line === 'string') expect(fatal).toBe(line);
    else expect(fatal).toMatch(line);
  });
});
