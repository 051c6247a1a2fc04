import { parseIP4Net } from '@flannel-ts/ip';
import { createLab, waitFor, type Lab } from '@flannel-ts/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_ETCD_PREFIX,
  MasqKeeper,
  masqNames,
  removeForward,
  removeMasq,
  renderNftTable,
  type MasqBackend,
  type MasqNames,
  type MasqOptions,
} from '../src/index.js';
import { BACKENDS, captureLog, labRun, rulesetSnapshot } from './masq-test-helpers.js';

const OTHER_PREFIX = '/example.org/network';
const RESYNC_PERIOD_MS = 200;

describe.each(BACKENDS)('rules with %s', (backend) => {
  let lab: Lab;
  let nsCount = 0;
  const namespaces: string[] = [];

  beforeAll(async () => {
    lab = await createLab({ hosts: 1 });
  });
  afterEach(async () => {
    for (const ns of namespaces.splice(0)) await lab.removeNamespace(ns);
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  /** A fresh namespace standing for one host's root namespace. */
  async function freshHost(): Promise<string> {
    const ns = `${lab.prefix}-n${++nsCount}`;
    await lab.addNamespace(ns);
    namespaces.push(ns);
    return ns;
  }

  function options(netns: string, overrides: Partial<MasqOptions> = {}): MasqOptions {
    return {
      network: parseIP4Net('10.244.0.0/16'),
      subnet: parseIP4Net('10.244.7.0/24'),
      etcdPrefix: DEFAULT_ETCD_PREFIX,
      ipMasq: true,
      forwardRules: true,
      backend,
      netns,
      ...overrides,
    };
  }

  const otherDaemon = (netns: string): MasqOptions =>
    options(netns, { etcdPrefix: OTHER_PREFIX, network: parseIP4Net('10.50.0.0/16'), subnet: parseIP4Net('10.50.3.0/24') });

  /** Only the rules of the daemon with these names. */
  async function rulesOf(ns: string, names: MasqNames): Promise<string> {
    if (backend === 'nftables') return labRun(lab, ns, ['nft', 'list', 'table', 'ip', names.nftTable]);
    const snapshot = await rulesetSnapshot(lab, ns, backend);
    const ours = new RegExp(`(^:| -j )(${names.postroutingChain}|${names.forwardChain})( |$)|^-A (${names.postroutingChain}|${names.forwardChain}) `);
    return snapshot
      .split('\n')
      .filter((line) => ours.test(line))
      .join('\n');
  }

  it('(b) gives the same ruleset after 50 applies, also from a restarted daemon', async () => {
    const ns = await freshHost();
    const { log } = captureLog();
    const keeper = new MasqKeeper(options(ns), log);
    await keeper.apply();
    const first = await rulesetSnapshot(lab, ns, backend);
    expect(first).toContain(backend === 'nftables' ? 'table ip flannel {' : '-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG');
    for (let i = 1; i < 50; i++) await keeper.apply();
    expect(await rulesetSnapshot(lab, ns, backend)).toBe(first);
    await new MasqKeeper(options(ns), log).apply();
    expect(await rulesetSnapshot(lab, ns, backend)).toBe(first);
    expect(await keeper.differences()).toEqual([]);
  });

  it('(c) restores rules changed by hand at the next resync', async () => {
    const ns = await freshHost();
    const { log, messages } = captureLog();
    const keeper = new MasqKeeper(options(ns), log);
    await keeper.apply();
    const expected = await rulesetSnapshot(lab, ns, backend);
    const stop = new AbortController();
    const loop = keeper.start(RESYNC_PERIOD_MS, stop.signal);
    const damages = damagesFor(backend);
    const word = backend === 'nftables' ? 'nftables' : 'iptables';
    const rebuilds = () => messages().filter((msg) => msg === `Some ${word} rules are missing; deleting and recreating rules`);
    try {
      // A resync may already have repaired a damage before the test could look at it, so each one is
      // judged by the rebuild it caused (one log line each) and by the rules it left.
      for (const [i, damage] of damages.entries()) {
        await labRun(lab, ns, damage);
        await waitFor(async () => rebuilds().length === i + 1 && (await rulesetSnapshot(lab, ns, backend)) === expected, {
          what: `rules restored after: ${damage.join(' ')}`,
        });
      }
      // Intact rules are left alone: no rebuild on the passes that follow.
      const passes = keeper.resyncPasses;
      await waitFor(() => keeper.resyncPasses >= passes + 2, { what: 'two more resync passes' });
    } finally {
      stop.abort();
      await loop;
    }
    expect(rebuilds()).toHaveLength(damages.length);
  });

  it('(d) keeps two prefixes apart: re-applying one leaves the other intact, stale rules vanish', async () => {
    const ns = await freshHost();
    const { log } = captureLog();
    const defaultNames = masqNames(DEFAULT_ETCD_PREFIX);
    const otherNames = masqNames(OTHER_PREFIX);
    const other = new MasqKeeper(otherDaemon(ns), log);
    await other.apply();
    await new MasqKeeper(options(ns), log).apply();
    const otherRules = await rulesOf(ns, otherNames);
    expect(otherRules).toContain('10.50.3.0/24');

    // The default daemon restarts with a new lease and then a new network.
    await new MasqKeeper(options(ns, { subnet: parseIP4Net('10.244.8.0/24') }), log).apply();
    const moved = new MasqKeeper(options(ns, { network: parseIP4Net('10.245.0.0/16'), subnet: parseIP4Net('10.245.1.0/24') }), log);
    await moved.apply();

    expect(await rulesOf(ns, otherNames)).toBe(otherRules);
    expect(await other.differences()).toEqual([]);
    expect(await moved.differences()).toEqual([]);
    const defaultRules = await rulesOf(ns, defaultNames);
    expect(defaultRules).toContain('10.245.1.0/24');
    expect(defaultRules).not.toMatch(/10\.244\./);
  });

  it('(e) removeMasq / removeForward take away only our chain and its jump', async () => {
    const ns = await freshHost();
    const { log } = captureLog();
    await new MasqKeeper(options(ns), log).apply();
    await new MasqKeeper(otherDaemon(ns), log).apply();
    await addForeignRules(lab, ns, backend);
    const before = await rulesetSnapshot(lab, ns, backend);
    const location = { etcdPrefix: DEFAULT_ETCD_PREFIX, backend, netns: ns };

    await removeMasq(location);
    const afterMasq = await rulesetSnapshot(lab, ns, backend);
    expect(afterMasq).toBe(withoutOurFeature(before, backend, 'masq'));
    await removeMasq(location);
    expect(await rulesetSnapshot(lab, ns, backend)).toBe(afterMasq);

    // Starting with --ip-masq off does the same.
    await new MasqKeeper(options(ns), log).apply();
    await new MasqKeeper(options(ns, { ipMasq: false }), log).apply();
    expect(await rulesetSnapshot(lab, ns, backend)).toBe(afterMasq);

    await removeForward(location);
    expect(await rulesetSnapshot(lab, ns, backend)).toBe(withoutOurFeature(afterMasq, backend, 'forward'));
  });

  // Only iptables has this case (a foreign rule jumping into our chain blocks its removal); with
  // nftables a jump cannot cross tables and our table holds only base chains, so no test is made.
  (backend === 'nftables' ? () => undefined : it)('reports a failed batch in one line naming the command and its stderr, changing nothing', async () => {
    const ns = await freshHost();
    const { log } = captureLog();
    await new MasqKeeper(options(ns), log).apply();
    // Someone else's chain jumps into ours, so ours cannot be deleted.
    await labRun(lab, ns, [`${backend}-restore`, '--noflush'], '*nat\n:THEIRS - [0:0]\n-A THEIRS -j FLANNEL-POSTRTG\nCOMMIT\n');
    const before = await rulesetSnapshot(lab, ns, backend);
    const failure = removeMasq({ etcdPrefix: DEFAULT_ETCD_PREFIX, backend, netns: ns });
    await expect(failure).rejects.toThrow(new RegExp(`^${backend}-restore --noflush --wait=5 failed \\(exit \\d+\\): [^\\n]+$`));
    await expect(failure).rejects.toThrow(/-X FLANNEL-POSTRTG|chain FLANNEL-POSTRTG/);
    expect(await rulesetSnapshot(lab, ns, backend)).toBe(before);
  });
});

/** Hand edits an operator or another tool might make to our rules. */
function damagesFor(backend: MasqBackend): string[][] {
  if (backend === 'nftables') {
    return [
      ['nft', 'flush', 'chain', 'ip', 'flannel', 'postrouting'],
      ['nft', 'delete', 'table', 'ip', 'flannel'],
      ['nft', 'add', 'rule', 'ip', 'flannel', 'forward', 'ip', 'daddr', '198.51.100.7', 'drop'],
    ];
  }
  const masqJump = ['-m', 'comment', '--comment', 'flanneld masq', '-j', 'FLANNEL-POSTRTG'];
  return [
    [backend, '-t', 'nat', '-F', 'FLANNEL-POSTRTG'],
    [backend, '-t', 'filter', '-D', 'FORWARD', '-m', 'comment', '--comment', 'flanneld forward', '-j', 'FLANNEL-FWD'],
    [backend, '-t', 'nat', '-A', 'POSTROUTING', ...masqJump],
    [backend, '-t', 'nat', '-D', 'FLANNEL-POSTRTG', '2'],
  ];
}

/** Rules of other tools, including one that carries our comment, in the tables we use. */
async function addForeignRules(lab: Lab, ns: string, backend: MasqBackend): Promise<void> {
  if (backend === 'nftables') {
    await labRun(lab, ns, ['nft', '-f', '-'], `table ip foreign {
\tchain postrouting {
\t\ttype nat hook postrouting priority srcnat; policy accept;
\t\tip saddr 198.51.100.0/24 masquerade comment "flanneld masq"
\t}
}
`);
    return;
  }
  await labRun(lab, ns, [`${backend}-restore`, '--noflush'], `*nat
:FOREIGN - [0:0]
-A FOREIGN -s 198.51.100.0/24 -j RETURN
-A POSTROUTING -j FOREIGN
-A POSTROUTING -s 198.51.100.0/24 -m comment --comment "flanneld masq" -j MASQUERADE
COMMIT
*filter
:FOREIGN-FWD - [0:0]
-A FORWARD -j FOREIGN-FWD
COMMIT
`);
}

/** What a snapshot should look like once one feature of the default-prefix daemon is removed. */
function withoutOurFeature(snapshot: string, backend: MasqBackend, feature: 'masq' | 'forward'): string {
  const names = masqNames(DEFAULT_ETCD_PREFIX);
  if (backend === 'nftables') {
    const tables = snapshot.split(/\n(?=table )/);
    const ours = tables.findIndex((table) => table.startsWith('table ip flannel {'));
    expect(ours).toBeGreaterThanOrEqual(0);
    const rest = feature === 'masq' ? renderNftTable({ names, forward: { network: parseIP4Net('10.244.0.0/16') } }) : undefined;
    tables.splice(ours, 1, ...(rest === undefined ? [] : [rest]));
    return tables.sort().join('\n');
  }
  const chain = feature === 'masq' ? names.postroutingChain : names.forwardChain;
  const gone = (line: string): boolean => line === `:${chain} - [0:0]` || line.startsWith(`-A ${chain} `) || line.endsWith(` -j ${chain}`);
  expect(snapshot.split('\n').filter(gone).length).toBeGreaterThan(1);
  return snapshot
    .split('\n')
    .filter((line) => !gone(line))
    .join('\n');
}
