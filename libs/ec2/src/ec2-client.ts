import { EC2Client } from '@aws-sdk/client-ec2';

export interface Ec2ClientOptions {
  /** Connection and request timeout of each HTTP request (the SDK has none by default). */
  readonly timeoutMs?: number;
}

/**
 * The EC2 API client for `region` (from the instance metadata). Endpoint and credentials are the
 * SDK's own: `AWS_ENDPOINT_URL_EC2` (or the region's public endpoint) and its default credential
 * chain (environment, shared files, the instance role).
 */
export function createEc2Client(region: string, o: Ec2ClientOptions = {}): EC2Client {
  // The lockfile pins an SDK release that runs on Node 20; its notice about later releases is noise in our logs.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const timeoutMs = o.timeoutMs ?? 10_000;
  return new EC2Client({ region, requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true } });
}
