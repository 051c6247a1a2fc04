// Helper of tools/bench/remote-server.ts, forked with an IPC channel: the lease server alone in its own
// process, so its CPU and RSS are its own. Sends { address } once it listens; answers "stats" with
// { waiting, cpuMs, rss }.
//
//   remote-server-process.ts <etcd endpoint>
import { pino } from 'pino';
import { startLeaseServer } from '@flannel-ts/lease-server';
import { EtcdSubnetManager } from '@flannel-ts/subnet';

const [endpoint = ''] = process.argv.slice(2);
const manager = await EtcdSubnetManager.connect({ endpoints: [endpoint], prefix: '/coreos.com/network' });
const server = await startLeaseServer({
  listen: '127.0.0.1:0',
  tls: { caFile: '', certFile: '', keyFile: '' },
  networks: { network: () => ({ manager, registry: manager.registry }) },
  ttlSeconds: 3600,
  log: pino({ level: 'silent' }),
});
process.on('message', (m) => {
  if (m !== 'stats') return;
  const cpu = process.cpuUsage();
  process.send!({ waiting: server.waiting, cpuMs: (cpu.user + cpu.system) / 1000, rss: process.memoryUsage().rss });
});
process.on('disconnect', () => process.exit(0));
process.send!({ address: server.address });
