import { describe, expect, it } from 'vitest';
import { applyEnvironment, envVariableName } from './apply-environment.js';
import { FlagError } from './flag-error.js';
import { parseCommandLine } from './parse-command-line.js';
import { sampleTable } from './test-table.js';

function parseWithEnv(argv: string[], env: Record<string, string | undefined>) {
  const table = sampleTable();
  return applyEnvironment(table, parseCommandLine(table, argv), env, 'FLANNELD');
}

function envErrorOf(argv: string[], env: Record<string, string>): FlagError {
  try {
    parseWithEnv(argv, env);
  } catch (error) {
    if (error instanceof FlagError) return error;
    throw error;
  }
  throw new Error('expected the environment to be rejected');
}

describe('envVariableName', () => {
  it('upper-cases and turns dashes into underscores', () => {
    expect(envVariableName('FLANNELD', 'etcd-endpoints')).toBe('FLANNELD_ETCD_ENDPOINTS');
    expect(envVariableName('FLANNELD', 'subnet-lease-renew-margin')).toBe('FLANNELD_SUBNET_LEASE_RENEW_MARGIN');
    expect(envVariableName('FLANNELD', 'log_dir')).toBe('FLANNELD_LOG_DIR');
    expect(envVariableName('FLANNELD', 'v')).toBe('FLANNELD_V');
  });
});

describe('applyEnvironment', () => {
  it('sets flags the command line left alone and records the source', () => {
    const r = parseWithEnv([], {
      FLANNELD_ETCD_PREFIX: '/env',
      FLANNELD_IP_MASQ: 'true',
      FLANNELD_SUBNET_LEASE_TTL: '2h',
      FLANNELD_V: '3',
    });
    expect(r.values).toMatchObject({ prefix: '/env', ipMasq: true, ttl: 7_200_000, verbosity: 3 });
    expect(r.sources).toMatchObject({ prefix: 'env', ipMasq: 'env', ttl: 'env', verbosity: 'env', endpoints: 'default' });
  });

  it('lets the command line win', () => {
    const r = parseWithEnv(['-etcd-prefix=/cli', '-ip-masq=false'], { FLANNELD_ETCD_PREFIX: '/env', FLANNELD_IP_MASQ: 'true' });
    expect(r.values.prefix).toBe('/cli');
    expect(r.values.ipMasq).toBe(false);
    expect(r.sources.prefix).toBe('cmdline');
  });

  it('keeps the command line winning even when it set the default value explicitly', () => {
    const r = parseWithEnv(['--etcd-prefix='], { FLANNELD_ETCD_PREFIX: '/env' });
    expect(r.values.prefix).toBe('');
  });

  it('ignores empty and absent variables', () => {
    const r = parseWithEnv([], { FLANNELD_ETCD_PREFIX: '', FLANNELD_IP_MASQ: undefined, FLANNELD_HEALTHZ_PORT: '' });
    expect(r.values.prefix).toBe('');
    expect(r.sources.prefix).toBe('default');
    expect(r.sources.port).toBe('default');
  });

  it('gives a repeatable flag exactly one element, without splitting on commas', () => {
    const r = parseWithEnv([], { FLANNELD_IFACE: 'eth0,eth1' });
    expect(r.values.ifaces).toEqual(['eth0,eth1']);
    expect(parseWithEnv(['-iface=a', '-iface=b'], { FLANNELD_IFACE: 'c' }).values.ifaces).toEqual(['a', 'b']);
  });

  it('names the variable for a bad value', () => {
    const e = envErrorOf([], { FLANNELD_IP_MASQ: 'x' });
    expect(e.message).toBe('invalid value "x" for FLANNELD_IP_MASQ: parse error');
    expect(e).toMatchObject({ reason: 'invalid-value', flag: 'ip-masq', variable: 'FLANNELD_IP_MASQ' });
    expect(envErrorOf([], { FLANNELD_SUBNET_LEASE_TTL: '10' }).message).toBe(
      'invalid value "10" for FLANNELD_SUBNET_LEASE_TTL: missing unit in duration "10"',
    );
    expect(envErrorOf([], { FLANNELD_LOGTOSTDERR: 'nope' }).message).toBe(
      'invalid value "nope" for FLANNELD_LOGTOSTDERR: parse error',
    );
  });

  it('does not read a bad variable for a flag set on the command line', () => {
    expect(parseWithEnv(['-ip-masq'], { FLANNELD_IP_MASQ: 'x' }).values.ipMasq).toBe(true);
  });

  it('skips flags defined with fromEnv: false', () => {
    const r = parseWithEnv([], { FLANNELD_VERSION: 'true' });
    expect(r.values.version).toBe(false);
    expect(r.sources.version).toBe('default');
  });

  it('uses the prefix it is given and leaves the input result unchanged', () => {
    const table = sampleTable();
    const parsed = parseCommandLine(table, ['pos']);
    const r = applyEnvironment(table, parsed, { OTHER_ETCD_PREFIX: '/o', FLANNELD_ETCD_PREFIX: '/f' }, 'OTHER');
    expect(r.values.prefix).toBe('/o');
    expect(r.positionals).toEqual(['pos']);
    expect(parsed.values.prefix).toBe('');
    expect(parsed.sources.prefix).toBe('default');
  });
});
