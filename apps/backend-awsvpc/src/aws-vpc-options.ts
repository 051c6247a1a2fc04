import { parseBackendConfig, quoteValue, type AwsVpcBackendConfig, type JsonObject } from '@flannel-ts/config';

/** The config's `Backend` object as aws-vpc options; throws naming a bad key. */
export function awsVpcOptions(backend: JsonObject): AwsVpcBackendConfig {
  const type = typeof backend['Type'] === 'string' ? backend['Type'] : 'aws-vpc';
  const parsed = parseBackendConfig({ backendType: type, backendRaw: backend });
  if (parsed.type !== 'aws-vpc') throw new Error(`Backend.Type is ${quoteValue(type)}: the aws-vpc backend serves "aws-vpc" only`);
  return parsed;
}
