import { ExitError } from '@flannel-ts/cli';
import { tryParseIP4, tryParseIP4Net, formatIP4Net, type IP4Net } from '@flannel-ts/ip';
import { addReservation, isReservation, removeReservation, ReservationRefusedError } from '@flannel-ts/subnet';
import { withRegistry } from './etcd-session.js';
import type { CommandIo, ExitCode } from './io.js';
import { LEASE_COLUMNS, leaseCells, leaseRows } from './lease-rows.js';
import type { FlannelctlOptions } from './parse-args.js';
import { storedNetworkConfig } from './stored-config.js';
import { formatTable } from './table.js';

/** What `unreserve` gives the key: flanneld's default lease TTL, as flannel's RemoveReservation does. */
export const UNRESERVE_TTL_SECONDS = 24 * 60 * 60;

const TTL_CALLS_AT_ONCE = 32;

/** `leases`: every lease key, with the TTL left of each. */
export async function leases(o: FlannelctlOptions, io: CommandIo): Promise<ExitCode> {
  const { rows, skipped } = await withRegistry(o, async (r) => {
    const listing = await r.listLeases();
    const ids = [...new Set(listing.leases.filter((l) => !isReservation(l)).map((l) => l.etcdLeaseId))];
    const ttls = new Map<string, number>();
    // One etcd call per lease: a few at a time, so thousands of leases take seconds, not minutes.
    for (let i = 0; i < ids.length; i += TTL_CALLS_AT_ONCE) {
      const batch = ids.slice(i, i + TTL_CALLS_AT_ONCE);
      const left = await Promise.all(batch.map((id) => r.timeToLive(id)));
      batch.forEach((id, j) => ttls.set(id, left[j]!));
    }
    return { rows: leaseRows(listing.leases, ttls), skipped: listing.skipped };
  });
  if (o.json) {
    const unreadable = skipped.map((s) => ({ key: s.key, reason: s.reason }));
    io.stdout.write(`${JSON.stringify({ leases: rows, unreadable }, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(formatTable(LEASE_COLUMNS, rows.map(leaseCells)));
  for (const s of skipped) io.stderr.write(`flannelctl: unreadable key ${s.key}: ${s.reason}\n`);
  return 0;
}

function subnetArg(text: string): IP4Net {
  const subnet = tryParseIP4Net(text);
  if (subnet === undefined || formatIP4Net(subnet) !== text) {
    throw new ExitError(`SUBNET ${JSON.stringify(text)}: want an IPv4 subnet like 10.244.3.0/24 (no host bits)`);
  }
  return subnet;
}

/** `reserve SUBNET PUBLIC-IP`. */
export async function reserve(o: FlannelctlOptions, args: readonly string[], io: CommandIo): Promise<ExitCode> {
  const subnet = subnetArg(args[0]!);
  const publicIp = tryParseIP4(args[1]!);
  if (publicIp === undefined) throw new ExitError(`PUBLIC-IP ${JSON.stringify(args[1])}: want an IPv4 address like 192.0.2.11`);
  await withRegistry(o, async (r) => {
    const config = await storedNetworkConfig(r, o.prefix);
    try {
      await addReservation(r, config, { subnet, publicIp });
    } catch (err) {
      if (err instanceof ReservationRefusedError) throw new ExitError(`reserve ${args[0]}: ${err.message}`, 1, { cause: err });
      throw err;
    }
  });
  io.stdout.write(`reserved ${args[0]} for ${args[1]}\n`);
  return 0;
}

/** `unreserve SUBNET`. */
export async function unreserve(o: FlannelctlOptions, args: readonly string[], io: CommandIo): Promise<ExitCode> {
  const subnet = subnetArg(args[0]!);
  const found = await withRegistry(o, (r) => removeReservation(r, subnet, UNRESERVE_TTL_SECONDS));
  if (!found) throw new ExitError(`unreserve ${args[0]}: no lease or reservation holds it`);
  io.stdout.write(`unreserved ${args[0]} (it expires in 24h unless its host renews it)\n`);
  return 0;
}
