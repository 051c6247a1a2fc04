import { formatIP4, formatIP4Net, type IP4Net } from '@flannel-ts/ip';
import { withRegistry } from './etcd-session.js';
import { findFreeSubnets } from './free-subnets.js';
import type { CommandIo, ExitCode } from './io.js';
import type { FlannelctlOptions } from './parse-args.js';
import { storedNetworkConfig } from './stored-config.js';

/** How many free subnets `free` lists without --all. */
export const FREE_LISTED = 20;

/** `free`: the count of free subnets, the first ones (every one with --all). */
export async function free(o: FlannelctlOptions, io: CommandIo): Promise<ExitCode> {
  const { config, taken } = await withRegistry(o, async (r) => {
    const config = await storedNetworkConfig(r, o.prefix);
    const listing = await r.listLeases();
    // A key whose value cannot be read still holds its subnet.
    const taken: IP4Net[] = [...listing.leases.map((l) => l.subnet), ...listing.skipped.flatMap((s) => (s.subnet ? [s.subnet] : []))];
    return { config, taken };
  });
  const result = findFreeSubnets(config, taken, o.all ? Number.POSITIVE_INFINITY : FREE_LISTED);
  const listed = result.listed.map(formatIP4Net);
  const complete = listed.length === result.free;
  if (o.json) {
    const summary = {
      network: formatIP4Net(config.network),
      subnetLen: config.subnetLen,
      subnetMin: formatIP4(config.subnetMin),
      subnetMax: formatIP4(config.subnetMax),
      total: result.total,
      free: result.free,
      subnets: listed,
      complete,
    };
    io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return 0;
  }
  const range = `${formatIP4(config.subnetMin)}-${formatIP4(config.subnetMax)}`;
  let out = `${result.free} of ${result.total} /${config.subnetLen} subnets free in ${formatIP4Net(config.network)} (${range})\n`;
  out += listed.map((s) => `${s}\n`).join('');
  if (!complete) out += `... and ${result.free - listed.length} more (--all lists them)\n`;
  io.stdout.write(out);
  return 0;
}
