import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface Reply {
  readonly status: number;
  readonly type: string | undefined;
  readonly body: string;
}

export interface RequestOptions {
  readonly body?: string;
  /** HTTPS with this CA, and a client certificate when given. */
  readonly tls?: { readonly ca: Buffer; readonly cert?: Buffer; readonly key?: Buffer };
  readonly signal?: AbortSignal;
}

/** One plain HTTP(S) request to the server at `address` (host:port); the whole reply. */
export function request(address: string, method: string, path: string, o: RequestOptions = {}): Promise<Reply> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  const options = { host, port, method, path, headers: o.body === undefined ? {} : { 'Content-Type': 'application/json' }, signal: o.signal, agent: false as const };
  return new Promise((resolve, reject) => {
    const req = o.tls
      ? httpsRequest({ ...options, ca: o.tls.ca, cert: o.tls.cert, key: o.tls.key, servername: 'localhost' })
      : httpRequest(options);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: Buffer.concat(chunks).toString() }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}
