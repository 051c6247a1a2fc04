// Runs the fake EC2 API and instance metadata service on loopback, by hand, and prints the lines that
// point an AWS SDK (flannel-backend-awsvpc, flannel-route-manager -backend=aws) at it:
//
//   npx tsx tools/fake-cloud/ec2.ts [--private-ip 192.0.2.11]
//
// It describes one VPC with its main route table and one instance (the one the metadata service
// answers for); when the routes of its tables change it prints them (as comments, so the output can
// be sourced by a shell). Ctrl-C stops it.
import { parseArgs } from 'node:util';
import { startFakeEc2 } from '@flannel-ts/testing';

const { values } = parseArgs({ options: { 'private-ip': { type: 'string' }, 'availability-zone': { type: 'string' } } });
const fake = await startFakeEc2({
  ...(values['private-ip'] ? { privateIp: values['private-ip'] } : {}),
  ...(values['availability-zone'] ? { availabilityZone: values['availability-zone'] } : {}),
});
const env = Object.entries(fake.env()).map(([name, value]) => `export ${name}=${value}`);
process.stdout.write(`${env.join('\n')}\n`);
process.stdout.write(`# instance ${fake.ids.instanceId} (${fake.ids.privateIp}) in ${fake.ids.subnetId} of ${fake.ids.vpcId}; main route table ${fake.ids.mainTableId}\n`);

let last = '';
const show = () => {
  const lines = [...fake.world.tables.values()].flatMap((t) =>
    [...t.routes.values()].map((r) => `#   ${t.routeTableId} ${r.destination} → ${'instanceId' in r.target ? r.target.instanceId : r.target.gatewayId}`),
  );
  const now = lines.join('\n');
  if (now !== last) process.stdout.write(`# routes:\n${now}\n`);
  last = now;
};
const timer = setInterval(show, 10_000);
const stop = () => {
  clearInterval(timer);
  void fake.close().then(() => process.exit(0));
};
process.once('SIGINT', stop).once('SIGTERM', stop);
