// Helper of tools/bench/hostgw.ts, run inside the lab's switch namespace (where etcd is): creates and
// deletes host-gw peer leases one at a time, on command, and prints the wall-clock time at which
// etcd acknowledged each write.
//
//   put-client.ts <etcd endpoint> <command file> <public ip> <subnet>...
//
// The bench appends lines to the command file: "put <i>" (create a lease for the i-th subnet),
// "del <i>" (delete it again), "quit". For each done command this prints "<put|del> <i> <epoch ms>",
// and "ready" once connected.
import { readFileSync } from 'node:fs';
import { parseIP4, parseIP4Net } from '@flannel-ts/ip';
import { EtcdLeaseRegistry, type Lease } from '@flannel-ts/subnet';

const POLL_MS = 1;
const LEASE_TTL_S = 600;

const wallMs = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const [endpoint, commandFile, publicIpText, ...subnetTexts] = process.argv.slice(2);
  if (!endpoint || !commandFile || !publicIpText || subnetTexts.length === 0) {
    throw new Error('usage: put-client.ts <etcd endpoint> <command file> <public ip> <subnet>...');
  }
  const publicIp = parseIP4(publicIpText);
  const subnets = subnetTexts.map((text) => parseIP4Net(text));
  const registry = await EtcdLeaseRegistry.connect({ endpoints: [endpoint], prefix: '/coreos.com/network' });
  await registry.getConfig(); // the connection is up before the first timed write
  const held = new Map<number, Lease>();
  process.stdout.write('ready\n');
  let done = 0;
  try {
    for (;;) {
      const lines = readFileSync(commandFile, 'utf8').split('\n').slice(0, -1);
      if (lines.length <= done) {
        await sleep(POLL_MS);
        continue;
      }
      const [verb, indexText] = lines[done++]!.split(' ');
      if (verb === 'quit') return;
      const index = Number(indexText);
      const subnet = subnets[index];
      if (subnet === undefined) throw new Error(`command ${JSON.stringify(lines[done - 1])}: no subnet number ${indexText}`);
      if (verb === 'put') {
        const lease = await registry.createLease(subnet, { publicIp, backendType: 'host-gw' }, LEASE_TTL_S);
        const ackMs = wallMs();
        if (!lease) throw new Error(`subnet ${subnetTexts[index]} is already leased`);
        held.set(index, lease);
        process.stdout.write(`put ${index} ${ackMs}\n`);
      } else if (verb === 'del') {
        const lease = held.get(index);
        if (!lease) throw new Error(`command "del ${index}": no lease of ours for ${subnetTexts[index]}`);
        if (!(await registry.deleteLease(lease))) throw new Error(`lease ${subnetTexts[index]} changed under us`);
        const ackMs = wallMs();
        held.delete(index);
        process.stdout.write(`del ${index} ${ackMs}\n`);
      } else {
        throw new Error(`unknown command ${JSON.stringify(lines[done - 1])} in ${commandFile}`);
      }
    }
  } finally {
    registry.close();
  }
}

await main();
