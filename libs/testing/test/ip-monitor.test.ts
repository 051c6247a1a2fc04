import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, startIpMonitor, waitFor, type IpMonitor, type IpMonitorEvent, type Lab, type LabHost } from '../src/index.js';

const summary = (events: IpMonitorEvent[]): string[] =>
  events.map((event) => `${event.kind} ${event.deleted ? 'del' : 'add'} ${event.dst ?? '-'} ${event.dev ?? '-'}`);

async function ip(lab: Lab, ns: string, ...args: string[]): Promise<void> {
  const result = await lab.exec(ns, ['ip', ...args]);
  expect(result.exitCode, `ip ${args.join(' ')} in ${ns}: ${result.stderr}`).toBe(0);
}

describe('startIpMonitor', () => {
  let lab: Lab;
  let host: LabHost;
  const monitors: IpMonitor[] = [];
  beforeAll(async () => {
    lab = await createLab({ hosts: 1 });
    host = lab.hosts[0]!;
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  it('records a changed route as a deletion and an addition, and nothing from before it listened', async () => {
    await ip(lab, host.ns, 'route', 'add', '10.244.3.0/24', 'via', '192.0.2.12');
    const monitor = await startIpMonitor(lab, host.ns);
    monitors.push(monitor);
    expect(monitor.events()).toEqual([]);

    await ip(lab, host.ns, 'route', 'del', '10.244.3.0/24');
    await ip(lab, host.ns, 'route', 'add', '10.244.3.0/24', 'via', '192.0.2.13');
    const events = await waitFor(() => monitor.events().length >= 2 && monitor.events(), { what: 'two route events' });
    expect(summary(events)).toEqual(['route del 10.244.3.0/24 eth0', 'route add 10.244.3.0/24 eth0']);
    expect(events[0]?.raw).toBe('Deleted 10.244.3.0/24 via 192.0.2.12 dev eth0');
    expect(events[1]?.raw).toBe('10.244.3.0/24 via 192.0.2.13 dev eth0');
    expect(Math.abs(events[1]!.atMs! - Date.now())).toBeLessThan(5_000);
    await monitor.stop();
    expect(summary(monitor.events())).toHaveLength(2);
  });

  it('reports only the kinds asked for, and two monitors in one namespace do not see each other', async () => {
    const [addresses, routes] = await Promise.all([startIpMonitor(lab, host.ns, ['address']), startIpMonitor(lab, host.ns, ['route'])]);
    monitors.push(addresses, routes);
    await ip(lab, host.ns, 'addr', 'add', '198.51.100.1/32', 'dev', 'lo');
    await waitFor(() => routes.events().length > 0, { what: "the new address's local route" });
    await waitFor(() => addresses.events().length > 0, { what: 'the new address' });
    expect(summary(addresses.events())).toEqual(['address add 198.51.100.1/32 lo']);
    expect(summary(routes.events())).toEqual(['route add 198.51.100.1 lo']);
  });

  it('refuses an empty object list', async () => {
    await expect(startIpMonitor(lab, host.ns, [])).rejects.toThrow('startIpMonitor objects must name at least one');
  });
});
