import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assertBuilt, FLANNELD } from '@flannel-ts/testing';

describe('the flanneld bundle', () => {
  it('compiles etcd3 and gRPC from the V8 code cache the build made, under flanneld’s own node flags', () => {
    assertBuilt();
    const shebang = readFileSync(FLANNELD, 'utf8').split('\n', 1)[0]!;
    const flags = shebang.split(/\s+/).filter((word) => word.startsWith('--'));
    expect(flags).toContain('--lite-mode');
    const chunks = path.join(path.dirname(FLANNELD), 'chunks');
    const loaders = readdirSync(chunks).filter((f) => f.startsWith('etcd-grpc-') && f.endsWith('.mjs'));
    expect(loaders).toHaveLength(1);
    const url = pathToFileURL(path.join(chunks, loaders[0]!)).href;
    const script = `const m = await import(${JSON.stringify(url)}); console.log(JSON.stringify({ cache: m.codeCache, etcd3: typeof m.etcd3.Etcd3, grpc: typeof m.grpc.credentials }));`;
    const run = (nodeFlags: readonly string[]) => JSON.parse(execFileSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as unknown;
    expect(run(flags)).toEqual({ cache: 'used', etcd3: 'function', grpc: 'object' });
    // Under other flags V8 refuses the cache and the code compiles from source, working the same.
    expect(run([])).toEqual({ cache: 'rejected', etcd3: 'function', grpc: 'object' });
  });
});
