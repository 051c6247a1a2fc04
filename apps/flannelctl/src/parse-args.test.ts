import { describe, expect, test } from 'vitest';
import { parseFlannelctlArgs } from './parse-args.js';

const run = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const outcome = parseFlannelctlArgs(argv, env);
  if (outcome.kind !== 'run') throw new Error(`expected a command, got exit ${outcome.code}: ${outcome.stderr ?? outcome.stdout}`);
  return outcome;
};

describe('parseFlannelctlArgs', () => {
  test("flanneld's defaults: its etcd endpoints and prefix, health endpoint off", () => {
    const { command, options } = run(['leases']);
    expect(command.words).toEqual(['leases']);
    expect(options).toMatchObject({ etcd: { endpoints: ['http://127.0.0.1:4001', 'http://127.0.0.1:2379'] }, prefix: '/coreos.com/network', statusUrl: undefined, json: false });
  });

  test('flags before, between and after the command words and arguments', () => {
    const { command, args, options } = run(['--json', 'config', '--etcd-prefix=/p/', 'check', 'net.json', '--network', 'blue']);
    expect(command.words).toEqual(['config', 'check']);
    expect(args).toEqual(['net.json']);
    expect(options).toMatchObject({ json: true, prefix: '/p/blue' });
    expect(run(['config', 'check', '--', '-json']).args).toEqual(['-json']);
    expect(run(['config', 'set', '-']).args).toEqual(['-']);
  });

  test('FLANNELD_* variables as flanneld reads them; the command line wins; flannelctl flags are not read from them', () => {
    const env = { FLANNELD_ETCD_ENDPOINTS: 'http://e1:2379,http://e2:2379', FLANNELD_HEALTHZ_PORT: '8471', FLANNELD_ETCD_USERNAME: 'u', FLANNELD_ETCD_PASSWORD: 'pw', FLANNELD_JSON: 'true' };
    const { options } = run(['status'], env);
    expect(options).toMatchObject({ etcd: { endpoints: ['http://e1:2379', 'http://e2:2379'], username: 'u', password: 'pw' }, statusUrl: 'http://127.0.0.1:8471', json: false });
    expect(run(['status', '--healthz-ip', '192.0.2.5'], env).options.statusUrl).toBe('http://192.0.2.5:8471');
    expect(run(['status', '--healthz-port', '0'], env).options.statusUrl).toBeUndefined();
  });

  test('usage problems are one line and exit 2; --help exits 0 on stdout', () => {
    const usage = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
      const outcome = parseFlannelctlArgs(argv, env);
      expect(outcome.kind).toBe('exit');
      return outcome.kind === 'exit' ? outcome : undefined;
    };
    for (const argv of [['leases', '-x'], ['free', 'extra'], ['config'], ['config', 'set'], ['status', '--network', 'a'], ['leases', '--network', '']]) {
      const outcome = usage(argv)!;
      expect(outcome.code, argv.join(' ')).toBe(2);
      expect(outcome.stderr).toMatch(/^flannelctl: [^\n]+\n$/);
    }
    expect(usage(['status'], { FLANNELD_HEALTHZ_PORT: '99999' })).toMatchObject({ code: 2, stderr: expect.stringContaining('FLANNELD_HEALTHZ_PORT') });
    expect(usage(['leases', '--etcd-certfile', 'c.pem'])).toMatchObject({ code: 2 });
    expect(usage(['reserve', '--help'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: flannelctl reserve SUBNET PUBLIC-IP/) });
    expect(usage(['-h'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: flannelctl \[OPTION\]/) });
  });
});
