import { describe, expect, it } from 'vitest';
import type { CloudRoute } from '@flannel-ts/cloud-routes';
import { isEmptyPlan, planRoutes } from './route-plan.js';

const route = (subnet: string, publicIp: string | undefined, name = `r-${subnet}`): CloudRoute => ({ name, subnet, publicIp });
const names = (routes: readonly CloudRoute[]) => routes.map((r) => r.name);

describe('planRoutes', () => {
  it('inserts every wanted route when nothing is owned', () => {
    const plan = planRoutes(new Map([['192.0.2.1', '10.244.1.0/24'], ['192.0.2.2', '10.244.2.0/24']]), []);
    expect(plan.deletes).toEqual([]);
    expect(plan.inserts).toEqual([
      { subnet: '10.244.1.0/24', publicIp: '192.0.2.1' },
      { subnet: '10.244.2.0/24', publicIp: '192.0.2.2' },
    ]);
  });

  it('does nothing when the owned routes are the wanted ones', () => {
    const wanted = new Map([['192.0.2.1', '10.244.1.0/24']]);
    expect(isEmptyPlan(planRoutes(wanted, [route('10.244.1.0/24', '192.0.2.1')]))).toBe(true);
  });

  it('deletes routes whose next hop holds no lease, or another subnet, or is unknown', () => {
    const wanted = new Map([['192.0.2.1', '10.244.1.0/24']]);
    const owned = [route('10.244.9.0/24', '192.0.2.9'), route('10.244.7.0/24', '192.0.2.1'), route('10.244.8.0/24', undefined)];
    const plan = planRoutes(wanted, owned);
    expect(names(plan.deletes)).toEqual(['r-10.244.9.0/24', 'r-10.244.7.0/24', 'r-10.244.8.0/24']);
    expect(plan.inserts).toEqual([{ subnet: '10.244.1.0/24', publicIp: '192.0.2.1' }]);
  });

  it('replaces a moved lease: the old route deleted, the new one inserted', () => {
    const plan = planRoutes(new Map([['192.0.2.2', '10.244.1.0/24']]), [route('10.244.1.0/24', '192.0.2.1')]);
    expect(names(plan.deletes)).toEqual(['r-10.244.1.0/24']);
    expect(plan.inserts).toEqual([{ subnet: '10.244.1.0/24', publicIp: '192.0.2.2' }]);
  });

  it('keeps one of two identical routes and deletes the other', () => {
    const wanted = new Map([['192.0.2.1', '10.244.1.0/24']]);
    const plan = planRoutes(wanted, [route('10.244.1.0/24', '192.0.2.1', 'a'), route('10.244.1.0/24', '192.0.2.1', 'b')]);
    expect(names(plan.deletes)).toEqual(['b']);
    expect(plan.inserts).toEqual([]);
  });

  it('applying the plan to the owned routes always yields exactly the wanted ones', () => {
    // Every combination of up to 3 hosts, 3 subnets and owned routes among them.
    const ips = ['192.0.2.1', '192.0.2.2', '192.0.2.3'];
    const subnets = ['10.244.1.0/24', '10.244.2.0/24', '10.244.3.0/24'];
    const candidates = ips.flatMap((ip) => subnets.map((s) => route(s, ip, `${s}@${ip}`)));
    for (let mask = 0; mask < 1 << candidates.length; mask += 7) {
      const owned = candidates.filter((_, i) => mask & (1 << i));
      const wanted = new Map(ips.slice(0, mask % 4).map((ip, i) => [ip, subnets[(i + mask) % 3]!]));
      const plan = planRoutes(wanted, owned);
      const after = [...owned.filter((r) => !plan.deletes.includes(r)).map((r) => `${r.publicIp} ${r.subnet}`), ...plan.inserts.map((w) => `${w.publicIp} ${w.subnet}`)];
      expect(after.sort()).toEqual([...wanted].map(([ip, s]) => `${ip} ${s}`).sort());
      expect(isEmptyPlan(planRoutes(wanted, [...owned.filter((r) => !plan.deletes.includes(r)), ...plan.inserts.map((w) => route(w.subnet, w.publicIp))]))).toBe(true);
    }
  });
});
