import { describe, expect, test } from 'vitest';
import { backendUsage, parseBackendArgs } from './backend-flags.js';

const parse = (argv: string[], childMode = false) => parseBackendArgs('vxlan', 'flannel-backend-vxlan', argv, childMode);

describe('parseBackendArgs', () => {
  test('defaults', () => {
    const args = parse([]);
    expect(args).toMatchObject({
      kind: 'run',
      flags: { verbosity: 0, stdin: false, network: '', backendConfig: '{"Type":"vxlan"}', daemonId: 'standalone', peers: [] },
    });
  });

  test('Go flag syntax, a repeatable -peer', () => {
    const args = parse(['--v=2', '-stdin', '-peer', '10.244.2.0/24=192.0.2.12', '--peer=10.244.3.0/24=192.0.2.13']);
    expect(args).toMatchObject({
      kind: 'run',
      flags: { verbosity: 2, stdin: true, peers: ['10.244.2.0/24=192.0.2.12', '10.244.3.0/24=192.0.2.13'] },
    });
  });

  test('--help prints the usage on stdout and exits 0', () => {
    const args = parse(['--help']);
    expect(args).toEqual({ kind: 'exit', code: 0, stdout: backendUsage('vxlan', 'flannel-backend-vxlan') });
    const usage = backendUsage('vxlan', 'flannel-backend-vxlan');
    expect(usage).toMatch(/^Usage: flannel-backend-vxlan \[OPTION\]\.\.\./);
    for (const flag of ['-network', '-subnet-len', '-subnet', '-peer', '-iface', '-public-ip', '-mtu', '-state-dir', '-stdin', '-backend-config', '-daemon-id', '-v']) {
      expect(usage).toContain(`  ${flag}`);
    }
    expect(usage).toContain('(default "{\\"Type\\":\\"vxlan\\"}")');
  });

  test.each<[string, string[], boolean, string]>([
    ['an unknown flag', ['-frob'], false, 'flag provided but not defined: -frob'],
    ['a bad -peer', ['-peer=10.244.2.0/24'], false, 'invalid value "10.244.2.0/24" for flag -peer: expected SUBNET=PUBLICIP[,BACKENDDATA-JSON]'],
    ['a positional argument', ['extra'], false, 'unexpected argument "extra"'],
    ['a negative -v', ['-v=-1'], false, 'invalid value -1 for flag -v: must not be negative'],
    ['a standalone flag under flanneld', ['-v=1', '-network=10.244.0.0/16'], true, 'flag -network is for standalone mode; under flanneld everything comes over IPC'],
  ])('%s is a usage error (exit 2, message then usage on stderr)', (_name, argv, childMode, message) => {
    const args = parse(argv, childMode);
    expect(args).toMatchObject({ kind: 'exit', code: 2 });
    expect(args.kind === 'exit' && args.stderr).toBe(`${message}\n${backendUsage('vxlan', 'flannel-backend-vxlan')}`);
  });

  test('under flanneld -v is accepted', () => {
    expect(parse(['-v=2'], true)).toMatchObject({ kind: 'run', flags: { verbosity: 2 } });
  });
});
