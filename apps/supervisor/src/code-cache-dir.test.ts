import { describe, expect, it } from 'vitest';
import { parseFlanneldArgs } from './options.js';
import { codeCacheDir, stateDirHint } from './code-cache-dir.js';

describe('stateDirHint', () => {
  const cases: [string, string[], Record<string, string>][] = [
    ['nothing given: the default', ['--etcd-endpoints=http://a:2379'], {}],
    ['one dash, value in the next word', ['-iface', 'eth0', '-state-dir', '/srv/a'], {}],
    ['two dashes, value after =', ['--state-dir=/srv/b', '-ip-masq'], {}],
    ['the last one wins', ['--state-dir=/srv/b', '-state-dir=/srv/c'], {}],
    ['the environment when the command line has none', ['-v=2'], { FLANNELD_STATE_DIR: '/srv/env' }],
    ['the command line over the environment', ['-state-dir', '/srv/flag'], { FLANNELD_STATE_DIR: '/srv/env' }],
    ['an empty variable is unset', [], { FLANNELD_STATE_DIR: '' }],
  ];
  it.each(cases)('reads --state-dir as the options do: %s', (_what, args, env) => {
    const parsed = parseFlanneldArgs(args, env);
    if (parsed.kind !== 'run') throw new Error(`flanneld would not run with ${args.join(' ')}`);
    expect(stateDirHint(args, env)).toBe(parsed.options.stateDir);
  });

  it('stops at --, as flag parsing does', () => {
    expect(stateDirHint(['--', '-state-dir=/srv/x'], {})).toBe('/var/lib/flannel');
  });

  it('ignores flags that only begin like it', () => {
    expect(stateDirHint(['-state-directory=/srv/x', '---state-dir=/srv/y'], {})).toBe('/var/lib/flannel');
  });
});

describe('codeCacheDir', () => {
  it('is code-cache in the state directory, made absolute', () => {
    expect(codeCacheDir('/var/lib/flannel')).toBe('/var/lib/flannel/code-cache');
    expect(codeCacheDir('state')).toBe(`${process.cwd()}/state/code-cache`);
  });
});
