// Runs the fake GCE (Compute REST API + metadata server, one port on loopback) by hand and prints the
// lines that point flannel-backend-gce (or any Google client honouring them) at it:
//
//   npx tsx tools/fake-cloud/gce.ts [--port 8089] [--instance node-1] [--network default]
//
// The metadata server describes one instance; when the project's routes change the fake prints them
// (as comments, so the output can be sourced by a shell). Ctrl-C stops it.
import { parseArgs } from 'node:util';
import { startFakeGce } from '@flannel-ts/testing';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    project: { type: 'string' },
    zone: { type: 'string' },
    network: { type: 'string' },
    instance: { type: 'string' },
  },
});
const port = values.port === undefined ? 0 : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port ${values.port}: expected a TCP port number\n`);
  process.exit(2);
}
const fake = await startFakeGce({
  port,
  ...(values.project ? { project: values.project } : {}),
  ...(values.zone ? { zone: values.zone } : {}),
  ...(values.network ? { network: values.network } : {}),
  ...(values.instance ? { instance: values.instance } : {}),
});
const env = Object.entries(fake.env()).map(([name, value]) => `export ${name}=${value}`);
process.stdout.write(`${env.join('\n')}\n`);
process.stdout.write(`# project ${fake.project}, instance ${fake.instance} in ${fake.zone}, network ${fake.network}\n`);

let last = '';
const show = () => {
  const now = fake
    .routes()
    .map((r) => `#   ${r.name} ${r.destRange} → ${r.nextHopInstance ?? r.nextHopIp}`)
    .join('\n');
  if (now !== last) process.stdout.write(`# routes:\n${now || '#   (none)'}\n`);
  last = now;
};
const timer = setInterval(show, 1_000);
const stop = () => {
  clearInterval(timer);
  void fake.close().then(() => process.exit(0));
};
process.once('SIGINT', stop).once('SIGTERM', stop);
