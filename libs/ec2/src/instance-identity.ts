import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import { RetryableError } from '@flannel-ts/retry';

export interface InstanceIdentity {
  readonly instanceId: string;
  readonly availabilityZone: string;
  /** The availability zone without its last letter: `eu-west-1a` → `eu-west-1`. */
  readonly region: string;
}

const DEFAULT_ENDPOINT = 'http://169.254.169.254';

/**
 * Reads this instance's id and availability zone from the instance metadata service: IMDSv2 (a
 * session token first) and, when the token request is refused, IMDSv1. The endpoint is
 * `AWS_EC2_METADATA_SERVICE_ENDPOINT`, as for every AWS SDK, else 169.254.169.254.
 */
export async function readInstanceIdentity(o: { timeoutMs?: number } = {}): Promise<InstanceIdentity> {
  // Retries are ours (the caller's backoff); one attempt here, bounded by the timeout.
  const service = new MetadataService({ retries: 0, httpOptions: { timeout: o.timeoutMs ?? 5_000 } });
  const endpoint = process.env['AWS_EC2_METADATA_SERVICE_ENDPOINT'] || DEFAULT_ENDPOINT;
  const read = async (item: string): Promise<string> => {
    try {
      // No leading slash: the service puts the endpoint's path ("/") in front of it.
      return (await service.request(`latest/meta-data/${item}`, {})).trim();
    } catch (error) {
      throw new RetryableError(`reading ${item} from the instance metadata service at ${endpoint}: ${(error as Error).message}`, { cause: error });
    }
  };
  const instanceId = await read('instance-id');
  const availabilityZone = await read('placement/availability-zone');
  if (!/^i-[0-9a-z]+$/.test(instanceId) || availabilityZone.length < 2) {
    throw new RetryableError(`the instance metadata service at ${endpoint} answered instance-id ${JSON.stringify(instanceId)}, availability zone ${JSON.stringify(availabilityZone)}: not an EC2 instance's`);
  }
  return { instanceId, availabilityZone, region: availabilityZone.slice(0, -1) };
}
