import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assertBuilt } from '@flannel-ts/testing';

const FLANNELCTL = fileURLToPath(new URL('../../../dist/apps/flannelctl/flannelctl', import.meta.url));

describe('the flannelctl bundle', () => {
  it('compiles etcd3 and gRPC from the V8 code cache the build made, under flannelctl’s own node flags', () => {
    assertBuilt();
    const shebang = readFileSync(FLANNELCTL, 'utf8').split('\n', 1)[0]!;
    const flags = shebang.split(/\s+/).filter((word) => word.startsWith('--'));
    const chunks = path.join(path.dirname(FLANNELCTL), 'chunks');
    const loaders = readdirSync(chunks).filter((f) => f.startsWith('etcd-grpc-') && f.endsWith('.mjs'));
    expect(loaders).toHaveLength(1);
    const url = pathToFileURL(path.join(chunks, loaders[0]!)).href;
    const script = `const m = await import(${JSON.stringify(url)}); console.log(JSON.stringify({ cache: m.codeCache, etcd3: typeof m.etcd3.Etcd3, grpc: typeof m.grpc.credentials }));`;
    const run = (nodeFlags: readonly string[]) => JSON.parse(execFileSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as unknown;
    expect(run(flags)).toEqual({ cache: 'used', etcd3: 'function', grpc: 'object' });
    // Under other flags V8 refuses the cache and the code compiles from source, working the same.
    expect(run(flags.includes('--max-semi-space-size=1') ? [] : ['--max-semi-space-size=1'])).toEqual({ cache: 'rejected', etcd3: 'function', grpc: 'object' });
  });
});
