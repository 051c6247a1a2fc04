// Benchmark: flannel-backend-gce's cost. `--help` start time and peak RSS (the bundle loaded, the
// Compute client not), then a standalone run against the fake GCE in a lab namespace: start → route
// inserted → ready (the fake finishes operations at once, so the 1 s operation polling does not count),
// and the RSS while it keeps the route (checked every second). Prints medians over RUNS.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';
import { createLab, forwardIntoNamespace, startFakeGce, tempDir, waitFor } from '@flannel-ts/testing';

const RUNS = Number(process.env.RUNS ?? 5);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const binary = path.join(root, 'dist/apps/backend-gce/flannel-backend-gce');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const status = (pid: number, field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

async function main(): Promise<void> {
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run "npm run build" first`);
  const help: number[] = [];
  const helpRss: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    // time(1) prints the peak RSS (KiB) as the last line of stderr.
    const { stderr } = await $({ quiet: true, stdio: ['ignore', 'ignore', 'pipe'] })`/usr/bin/time -f %M ${binary} --help`;
    const out = stderr.trim().split('\n').at(-1);
    help.push(performance.now() - t0);
    helpRss.push(Number(out) / 1024);
  }
  console.log(`--help: ${median(help).toFixed(0)} ms, peak RSS ${median(helpRss).toFixed(1)} MiB (median of ${RUNS})`);

  const sockets = tempDir('c');
  const lab = await createLab({ hosts: 1 });
  const fake = await startFakeGce();
  fake.faults.operationPolls = 0;
  try {
    await forwardIntoNamespace(lab, lab.hosts[0]!.ns, fake, sockets.path);
    const ready: number[] = [];
    let rss = 0;
    let peak = 0;
    for (let i = 0; i < RUNS; i++) {
      const out = path.join(sockets.path, `out${i}`);
      const subnet = `10.245.${i}.0/24`;
      const t0 = performance.now();
      const proc = lab.spawn(
        lab.hosts[0]!.ns,
        [binary, '-network', '10.245.0.0/16', '-subnet', subnet, '-iface', 'eth0', '-state-dir', path.join(sockets.path, `s${i}`), '-backend-config', '{"Type":"gce","RouteCheckInterval":1}'],
        { env: fake.env(), stdout: out },
      );
      await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').includes('"ready"'), { intervalMs: 1, what: 'ready' });
      ready.push(performance.now() - t0);
      if (i === RUNS - 1) {
        const gets = fake.count('routes.get');
        await waitFor(() => fake.count('routes.get') >= gets + 10, { what: '10 more checks' });
        rss = status(proc.pid, 'VmRSS');
        peak = status(proc.pid, 'VmHWM');
      }
      await proc.stop();
    }
    console.log(`start → route inserted → ready: ${median(ready).toFixed(0)} ms (median of ${RUNS})`);
    console.log(`keeping the route (after 10 checks): RSS ${rss.toFixed(1)} MiB, peak ${peak.toFixed(1)} MiB`);
  } finally {
    await lab.destroy();
    await fake.close();
    await sockets.remove();
  }
}

await main();
