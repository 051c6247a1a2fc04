import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface ImdsIdentity {
  instanceId: string;
  availabilityZone: string;
}

/**
 * The instance metadata service of one instance: IMDSv2 (PUT /latest/api/token, then GETs carrying
 * the token) and IMDSv1 (GETs without one). `refuseTokens` answers the token request with that status,
 * as a service with IMDSv2 turned off or an old proxy would.
 */
export class FakeImds {
  refuseTokens: 403 | 404 | 405 | undefined;
  /** Demands a token on every GET (IMDSv2 required): a GET without one gets 401. */
  requireToken = false;
  private readonly tokens = new Set<string>();

  constructor(readonly identity: ImdsIdentity) {}

  handle(req: IncomingMessage, res: ServerResponse, path: string): string {
    if (req.method === 'PUT' && path === '/latest/api/token') {
      if (this.refuseTokens) return this.answer(res, this.refuseTokens, '');
      const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21_600) return this.answer(res, 400, '');
      const token = randomBytes(24).toString('base64');
      this.tokens.add(token);
      return this.answer(res, 200, token, { 'x-aws-ec2-metadata-token-ttl-seconds': String(ttl) });
    }
    if (req.method !== 'GET') return this.answer(res, 405, '');
    const token = req.headers['x-aws-ec2-metadata-token'];
    if (typeof token === 'string' ? !this.tokens.has(token) : this.requireToken) return this.answer(res, 401, '');
    const value = this.value(path);
    return value === undefined ? this.answer(res, 404, '') : this.answer(res, 200, value);
  }

  private value(path: string): string | undefined {
    const { instanceId, availabilityZone } = this.identity;
    const values: Record<string, string> = {
      '/latest/meta-data/instance-id': instanceId,
      '/latest/meta-data/placement/availability-zone': availabilityZone,
      '/latest/meta-data/placement/region': availabilityZone.slice(0, -1),
    };
    return values[path];
  }

  private answer(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): string {
    res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);
    return String(status);
  }
}
