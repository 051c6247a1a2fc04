import { createServer, connect, type Server, type Socket } from 'node:net';
import path from 'node:path';
import type { Lab } from '../lab/lab.js';
import { waitFor } from '../wait-for.js';

export interface NsForwarder {
  /** `http://127.0.0.1:<port>`, as seen inside the namespace. */
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * Runs inside the namespace: accepts on 127.0.0.1:<port> and pipes each connection to a unix
 * socket (the filesystem is shared across network namespaces, the network is not).
 */
const FORWARDER = `
const net = require('node:net');
const [port, socket] = process.argv.slice(1);
net.createServer({ allowHalfOpen: true }, (c) => {
  const u = net.connect(socket);
  c.pipe(u); u.pipe(c);
  c.on('error', () => u.destroy()); u.on('error', () => c.destroy());
}).listen(Number(port), '127.0.0.1');
`;

/**
 * Makes a loopback server of this process (a fake cloud API) reachable at 127.0.0.1:<port> inside a
 * lab namespace. A process in that namespace reaches the fake and nothing else: the lab has no way
 * out, so a request for a real cloud or metadata address fails instead of leaving the machine.
 */
export async function forwardIntoNamespace(lab: Lab, ns: string, target: { readonly port: number }, socketDir: string): Promise<NsForwarder> {
  const socketPath = path.join(socketDir, `fwd-${ns}-${target.port}.sock`);
  const open = new Set<Socket>();
  const relay: Server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ host: '127.0.0.1', port: target.port, allowHalfOpen: true });
    open.add(client).add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve, reject) => relay.once('error', reject).listen(socketPath, resolve));
  const child = lab.spawn(ns, [process.execPath, '-e', FORWARDER, String(target.port), socketPath]);
  const close = async (): Promise<void> => {
    child.kill('SIGKILL');
    await child.exited;
    open.forEach((s) => s.destroy());
    await new Promise<void>((resolve) => relay.close(() => resolve()));
  };
  lab.addCleanup(close);
  await waitFor(
    async () => (await lab.exec(ns, ['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${target.port}`])).exitCode === 0,
    { what: `the forwarder to port ${target.port} in ${ns}` },
  );
  return { endpoint: `http://127.0.0.1:${target.port}`, close };
}
