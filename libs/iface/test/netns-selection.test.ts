import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIP4, formatIP4Net } from '@flannel-ts/ip';
import { waitFor } from '@flannel-ts/testing';
import {
  NO_MATCHING_INTERFACE,
  type ExternalInterface,
  type ExternalInterfaceOptions,
  type SystemSnapshot,
} from '../src/index.js';

// Everything happens inside a namespace of our own; the root namespace is never changed.
const ns = `ftif-${process.pid}-${randomBytes(3).toString('hex')}`;
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const printSelection = fileURLToPath(new URL('./print-selection.ts', import.meta.url));

const optionSets = {
  defaultRoute: {},
  ifaceByIp: { ifaces: ['198.51.100.12'] },
  ifaceBySecondaryIp: { ifaces: ['192.0.2.21'] },
  ifaceByName: { ifaces: ['eth0', 'a1'] },
  regex: { ifaceRegexes: ['^a1$'] },
  canReachSpecific: { ifaceCanReach: '203.0.113.9' },
  canReachDefault: { ifaceCanReach: '198.18.0.1' },
  noMatch: { ifaces: ['eth0'] },
  publicIp: { publicIp: '203.0.113.50' },
} satisfies Record<string, Partial<ExternalInterfaceOptions>>;
type OptionSetName = keyof typeof optionSets;

interface Printed {
  snapshot: SystemSnapshot;
  selections: ({ ok: ExternalInterface } | { error: string })[];
}

let namespaceCreated = false;
let printed: Printed;
let kernelLinks: { ifname: string; ifindex: number; mtu: number }[];
let kernelRoutes: { dst: string; gateway?: string; dev: string; metric?: number }[];

async function inNamespace(...args: string[]): Promise<string> {
  return (await execa('ip', ['-n', ns, ...args])).stdout;
}

async function deleteNamespace(): Promise<void> {
  if (!namespaceCreated) return;
  await execa('ip', ['netns', 'delete', ns]);
  namespaceCreated = false;
}

async function waitUntilRunning(...links: string[]): Promise<void> {
  await waitFor(
    async () => {
      const state = JSON.parse(await inNamespace('-j', 'link', 'show')) as { ifname: string; operstate: string }[];
      return links.every((name) => state.find((link) => link.ifname === name)?.operstate === 'UP');
    },
    { what: `links ${links.join(', ')} in ${ns} to come up` },
  );
}

async function buildNamespace(): Promise<void> {
  await execa('ip', ['netns', 'add', ns]);
  namespaceCreated = true;
  await execa('ip', ['link', 'add', 'a0', 'netns', ns, 'type', 'veth', 'peer', 'name', 'a1', 'netns', ns]);
  await inNamespace('link', 'set', 'lo', 'up');
  await inNamespace('link', 'set', 'a0', 'mtu', '1400', 'up');
  await inNamespace('link', 'set', 'a1', 'up');
  await inNamespace('addr', 'add', '192.0.2.11/24', 'dev', 'a0');
  await inNamespace('addr', 'add', '192.0.2.21/24', 'dev', 'a0');
  await inNamespace('addr', 'add', '198.51.100.12/24', 'dev', 'a1');
  await inNamespace('route', 'add', 'default', 'via', '192.0.2.1', 'dev', 'a0');
  await inNamespace('route', 'add', '203.0.113.0/24', 'via', '198.51.100.1', 'dev', 'a1', 'metric', '7');
  // os.networkInterfaces() only reports addresses of links that are up and running.
  await waitUntilRunning('a0', 'a1');
}

beforeAll(async () => {
  try {
    await buildNamespace();
    const sets = Object.values(optionSets).map((opts) => ({ ifaces: [], ifaceRegexes: [], ...opts }));
    const run = await execa(
      'ip',
      ['netns', 'exec', ns, process.execPath, '--import', 'tsx', printSelection, JSON.stringify(sets)],
      { cwd: repoRoot },
    );
    printed = JSON.parse(run.stdout) as Printed;
    kernelLinks = JSON.parse(await inNamespace('-j', 'link', 'show')) as typeof kernelLinks;
    kernelRoutes = JSON.parse(await inNamespace('-j', '-4', 'route', 'show', 'table', 'main')) as typeof kernelRoutes;
  } catch (err) {
    await deleteNamespace();
    throw err;
  }
});

afterAll(async () => {
  await deleteNamespace();
});

function selection(name: OptionSetName): ExternalInterface {
  const outcome = printed.selections[Object.keys(optionSets).indexOf(name)];
  if (!outcome || !('ok' in outcome)) throw new Error(`${name}: expected a selection, got ${JSON.stringify(outcome)}`);
  return outcome.ok;
}

function brief(result: ExternalInterface) {
  return { name: result.name, mtu: result.mtu, ifaceAddr: formatIP4(result.ifaceAddr), extAddr: formatIP4(result.extAddr) };
}

describe(`interface selection inside a network namespace`, () => {
  it('reads the namespace links with the kernel indexes and MTUs', () => {
    const expected = kernelLinks.map((link) => ({ name: link.ifname, index: link.ifindex, mtu: link.mtu }));
    const actual = printed.snapshot.interfaces.map(({ name, index, mtu }) => ({ name, index, mtu }));
    expect(actual).toEqual(expected.sort((a, b) => a.index - b.index));
    expect(actual.map((link) => link.name).sort()).toEqual(['a0', 'a1', 'lo']);
    const a0 = printed.snapshot.interfaces.find((link) => link.name === 'a0');
    expect(a0?.addrs.map((addr) => `${formatIP4(addr.ip)}/${addr.prefixLen}`)).toEqual(['192.0.2.11/24', '192.0.2.21/24']);
  });

  it('reads the same IPv4 main table as `ip route`', () => {
    const fromIp = kernelRoutes.map((route) => ({
      iface: route.dev,
      dst: route.dst === 'default' ? '0.0.0.0/0' : route.dst.includes('/') ? route.dst : `${route.dst}/32`,
      gateway: route.gateway,
      metric: route.metric ?? 0,
    }));
    const fromSnapshot = printed.snapshot.routes.map((route) => ({
      iface: route.iface,
      dst: formatIP4Net(route.dst),
      gateway: route.gateway === undefined ? undefined : formatIP4(route.gateway),
      metric: route.metric,
    }));
    const byDst = (a: { dst: string }, b: { dst: string }) => a.dst.localeCompare(b.dst);
    expect(fromSnapshot.sort(byDst)).toEqual(fromIp.sort(byDst));
  });

  it('defaults to the default-route interface with its MTU', () => {
    const result = selection('defaultRoute');
    expect(brief(result)).toEqual({ name: 'a0', mtu: 1400, ifaceAddr: '192.0.2.11', extAddr: '192.0.2.11' });
    expect(result.index).toBe(kernelLinks.find((link) => link.ifname === 'a0')?.ifindex);
    expect(result.logLines).toEqual([
      'Using interface with name a0 and address 192.0.2.11',
      'Defaulting external address to interface address (192.0.2.11)',
    ]);
  });

  it('finds the interface for --iface given as an IP', () => {
    expect(brief(selection('ifaceByIp'))).toEqual({ name: 'a1', mtu: 1500, ifaceAddr: '198.51.100.12', extAddr: '198.51.100.12' });
    expect(brief(selection('ifaceBySecondaryIp'))).toEqual({ name: 'a0', mtu: 1400, ifaceAddr: '192.0.2.21', extAddr: '192.0.2.21' });
  });

  it('tries --iface names in order, and applies --iface-regex', () => {
    expect(selection('ifaceByName').name).toBe('a1');
    expect(selection('regex').name).toBe('a1');
  });

  it('follows the kernel routes for --iface-can-reach', () => {
    expect(brief(selection('canReachSpecific'))).toEqual({ name: 'a1', mtu: 1500, ifaceAddr: '198.51.100.12', extAddr: '198.51.100.12' });
    expect(selection('canReachDefault').name).toBe('a0');
  });

  it('advertises --public-ip on the default-route interface when no interface owns it', () => {
    expect(brief(selection('publicIp'))).toEqual({ name: 'a0', mtu: 1400, ifaceAddr: '192.0.2.11', extAddr: '203.0.113.50' });
  });

  it('fails with flannel\'s message when explicit options match nothing', () => {
    expect(printed.selections[Object.keys(optionSets).indexOf('noMatch')]).toEqual({
      error: `${NO_MATCHING_INTERFACE} (--iface eth0: no interface named eth0)`,
    });
  });
});
