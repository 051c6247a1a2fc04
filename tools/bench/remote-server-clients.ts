// Helper of tools/bench/remote-server.ts, forked with an IPC channel: runs N lightweight lease-watch
// clients of a flanneld server (plain HTTP long-polls, as flanneld --remote does: a snapshot, then
// `?next=<cursor>` again and again). For every event a client receives it sends the parent
// { subnet, type, at } with `at` the wall-clock ms it arrived; { ready } once every client polls.
//
//   remote-server-clients.ts <host:port> <clients>
import { Agent, request } from 'node:http';

const wallMs = (): number => performance.timeOrigin + performance.now();

const [address = '', countText = '0'] = process.argv.slice(2);
const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

function get(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`${path}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

interface Reply {
  events: { type: string; lease: { Subnet: string } }[] | null;
  snapshot: unknown[] | null;
  cursor: string;
}

let started = 0;
async function client(): Promise<void> {
  let cursor = (JSON.parse(await get('/v1/_/leases')) as Reply).cursor;
  if (++started === Number(countText)) process.send!({ ready: true });
  for (;;) {
    const reply = JSON.parse(await get(`/v1/_/leases?next=${cursor}`)) as Reply;
    const at = wallMs();
    for (const e of reply.events ?? []) process.send!({ subnet: e.lease.Subnet, type: e.type, at });
    cursor = reply.cursor;
  }
}

for (let i = 0; i < Number(countText); i++) {
  client().catch((err: Error) => {
    process.send!({ error: err.message });
    process.exit(1);
  });
}
process.on('disconnect', () => process.exit(0));
