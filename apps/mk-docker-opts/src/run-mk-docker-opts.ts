import { readSystemSnapshot } from '@flannel-ts/iface';
import { tryParseIP4Net, type IP4Net } from '@flannel-ts/ip';
import { readSubnetEnv } from '@flannel-ts/subnet-env';
import { formatDockerOpts, InvalidFlannelEnv } from './docker-opts.js';
import { parseMkDockerOptsArgs, USAGE } from './options.js';
import { findGatewayRouteFor } from './subnet-route.js';
import { writeFileAtomic } from '@flannel-ts/atomic-file';

/**
 * Reads flanneld's env file, writes the Docker options file, then refuses (exit 1) when this host
 * already routes the subnet via a gateway. Returns the exit status; messages go to stderr.
 */
export async function runMkDockerOpts(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const parsed = parseMkDockerOptsArgs(argv);
  if (parsed.kind === 'usage') {
    process.stderr.write(`${parsed.problem === undefined ? '' : `mk-docker-opts: ${parsed.problem}\n`}${USAGE}`);
    return 1;
  }
  const { options } = parsed;
  try {
    const flannel = await readSubnetEnv(options.flannelEnv);
    if (flannel === undefined) throw new InvalidFlannelEnv(`flannel env file ${options.flannelEnv} does not exist`);
    const subnet = subnetOf(flannel, options.flannelEnv);
    await writeFileAtomic(options.dockerEnv, formatDockerOpts(flannel, options, env[options.combinedKey]));
    const conflict = subnet && findGatewayRouteFor(subnet, (await readSystemSnapshot()).routes);
    if (conflict) {
      process.stderr.write(`Your routing table already contains the subnet: ${conflict}\n`);
      return 1;
    }
    return 0;
  } catch (error) {
    process.stderr.write(`mk-docker-opts: ${(error as Error).message}\n`);
    return 1;
  }
}

function subnetOf(flannel: Readonly<Record<string, string>>, path: string): IP4Net | undefined {
  const text = flannel['FLANNEL_SUBNET'];
  if (!text) return undefined;
  const subnet = tryParseIP4Net(text);
  if (subnet === undefined) throw new InvalidFlannelEnv(`${path}: FLANNEL_SUBNET=${JSON.stringify(text)} is not an IPv4 CIDR`);
  return subnet;
}
