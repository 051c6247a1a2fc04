import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, forwardIntoNamespace, tempDir, type Lab, type TempDir } from '../src/index.js';

describe('forwardIntoNamespace', () => {
  let lab: Lab;
  let tmp: TempDir;
  let server: Server;
  const seen: string[] = [];

  beforeAll(async () => {
    tmp = await tempDir('fwd');
    lab = await createLab({ hosts: 1 });
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.end('from the root namespace');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await lab?.destroy();
    server?.close();
    await tmp?.remove();
  });

  it('makes a loopback server of the test reachable at the same port inside a lab namespace', async () => {
    const { port } = server.address() as AddressInfo;
    const ns = lab.hosts[0]!.ns;
    const fwd = await forwardIntoNamespace(lab, ns, { port }, tmp.path);
    expect(fwd.endpoint).toBe(`http://127.0.0.1:${port}`);
    const script = `fetch('${fwd.endpoint}/latest/meta-data/instance-id').then((r) => r.text()).then((t) => process.stdout.write(t))`;
    const got = await lab.exec(ns, [process.execPath, '-e', script]);
    expect(got.stdout).toBe('from the root namespace');
    expect(seen).toEqual(['GET /latest/meta-data/instance-id']);
    await fwd.close();
    expect((await lab.exec(ns, [process.execPath, '-e', script])).exitCode).not.toBe(0);
  });
});
