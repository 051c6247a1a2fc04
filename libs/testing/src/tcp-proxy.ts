import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  /** http://127.0.0.1:<port>, ready to hand to an etcd client. */
  readonly endpoint: string;
  readonly port: number;
  /** Destroys every open connection and refuses new ones until restore(). */
  cut(): void;
  /**
   * Forwards nothing either way until restore(), on open connections and new ones alike, closing
   * none: a link gone dark, as both ends see it (no reset, no FIN). Bytes wait, as TCP would
   * retransmit them, so restore() lets the connections carry on.
   */
  blackhole(): void;
  restore(): void;
  /** Connections currently being forwarded. */
  connections(): number;
  close(): Promise<void>;
}

/** A fault-injecting TCP forwarder on a free loopback port, in the style of etcd3's test proxy. */
export async function startTcpProxy(target: { readonly host: string; readonly port: number }): Promise<TcpProxy> {
  const open = new Set<{ client: Socket; upstream: Socket }>();
  let isCut = false;
  let isDark = false;
  const forward = ({ client, upstream }: { client: Socket; upstream: Socket }): void => {
    client.pipe(upstream);
    upstream.pipe(client);
  };

  // Half-open allowed both ways so a client's FIN still lets the reply through before teardown.
  const server = createServer({ allowHalfOpen: true }, (client) => {
    if (isCut) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true });
    const pair = { client, upstream };
    open.add(pair);
    const teardown = (): void => {
      open.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', teardown).on('close', teardown);
    upstream.on('error', teardown).on('close', teardown);
    if (!isDark) forward(pair);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new Error(`starting TCP proxy to ${target.host}:${target.port}`, { cause: error })));
    server.listen({ host: '127.0.0.1', port: 0 }, resolve);
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('TCP proxy has no address');
  const { port } = address;

  const destroyAll = (): void => {
    for (const { client, upstream } of open) {
      client.destroy();
      upstream.destroy();
    }
    open.clear();
  };

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    cut() {
      isCut = true;
      destroyAll();
    },
    blackhole() {
      isDark = true;
      for (const { client, upstream } of open) {
        client.unpipe(upstream);
        upstream.unpipe(client);
      }
    },
    restore() {
      isCut = false;
      if (isDark) for (const pair of open) forward(pair);
      isDark = false;
    },
    connections: () => open.size,
    close() {
      destroyAll();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
