import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, waitFor, type TcpProxy } from '../src/index.js';

/** Connects through the proxy; resolves with the socket and a promise of its 'close'. */
function dial(port: number): Promise<{ socket: Socket; closed: Promise<void>; received: () => string }> {
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = connect({ host: '127.0.0.1', port }, () =>
      resolve({ socket, closed, received: () => data }),
    );
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('data', (chunk) => (data += chunk.toString()));
    socket.once('error', reject);
  });
}

async function echoed(port: number, message: string): Promise<string> {
  const { socket, received } = await dial(port);
  socket.write(message);
  const reply = await waitFor(() => received().length >= message.length && received(), {
    what: `echo of ${message}`,
  });
  socket.destroy();
  return reply;
}

describe('startTcpProxy', () => {
  let echo: Server;
  let proxy: TcpProxy;
  beforeAll(async () => {
    echo = createServer((socket) => socket.on('error', () => undefined).pipe(socket));
    await new Promise<void>((resolve) => echo.listen({ host: '127.0.0.1', port: 0 }, resolve));
    proxy = await startTcpProxy({ host: '127.0.0.1', port: (echo.address() as { port: number }).port });
  });
  afterAll(async () => {
    await proxy?.close();
    await new Promise((resolve) => echo?.close(resolve));
  });

  it('forwards both ways on a free loopback port', async () => {
    expect(proxy.endpoint).toBe(`http://127.0.0.1:${proxy.port}`);
    expect(await echoed(proxy.port, 'ping through proxy')).toBe('ping through proxy');
  });

  it('cut() breaks open connections and refuses new ones until restore()', async () => {
    const open = await dial(proxy.port);
    open.socket.on('error', () => undefined);
    open.socket.write('before');
    await waitFor(() => open.received() === 'before', { what: 'echo before the cut' });
    expect(proxy.connections()).toBe(1);

    proxy.cut();
    await open.closed;
    expect(proxy.connections()).toBe(0);

    const refused = await dial(proxy.port);
    refused.socket.on('error', () => undefined);
    refused.socket.write('during');
    await refused.closed;
    expect(refused.received()).toBe('');
    expect(proxy.connections()).toBe(0);

    proxy.restore();
    expect(await echoed(proxy.port, 'after restore')).toBe('after restore');
    await waitFor(() => proxy.connections() === 0, { what: 'proxy to drop the closed connection' });
  });
});
