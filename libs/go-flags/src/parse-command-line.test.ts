import { describe, expect, it } from 'vitest';
import { FlagError } from './flag-error.js';
import { boolFlag, stringFlag } from './flag-kinds.js';
import { parseCommandLine } from './parse-command-line.js';
import { sampleTable } from './test-table.js';

const parse = (argv: string[]) => parseCommandLine(sampleTable(), argv);

function errorOf(argv: string[]): FlagError {
  try {
    parse(argv);
  } catch (error) {
    if (error instanceof FlagError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(argv)} to fail`);
}

describe('parseCommandLine: syntax forms', () => {
  it('returns defaults with source "default" for an empty command line', () => {
    const r = parse([]);
    expect(r.values.endpoints).toBe('http://127.0.0.1:2379');
    expect(r.values.ttl).toBe(86_400_000);
    expect(r.values.ifaces).toEqual([]);
    expect(r.values.forwardRules).toBe(true);
    expect(r.values.logDir).toBeUndefined();
    expect(Object.values(r.sources).every((s) => s === 'default')).toBe(true);
    expect(r.positionals).toEqual([]);
    expect(r.helpRequested).toBe(false);
  });

  it.each([
    [['-etcd-prefix=/a']], [['--etcd-prefix=/a']], [['-etcd-prefix', '/a']], [['--etcd-prefix', '/a']],
  ])('accepts %j', (argv) => {
    const r = parse(argv);
    expect(r.values.prefix).toBe('/a');
    expect(r.sources.prefix).toBe('cmdline');
    expect(r.sources.endpoints).toBe('default');
  });

  it('keeps everything after the first "=" as the value, including more "=" and an empty value', () => {
    expect(parse(['-etcd-prefix=a=b']).values.prefix).toBe('a=b');
    const r = parse(['--etcd-prefix=']);
    expect(r.values.prefix).toBe('');
    expect(r.sources.prefix).toBe('cmdline');
  });

  it('takes the next argument as the value even when it starts with a dash', () => {
    expect(parse(['-etcd-prefix', '-x']).values.prefix).toBe('-x');
    expect(parse(['-v', '-1']).values.verbosity).toBe(-1);
    expect(parse(['--etcd-prefix', '--']).values.prefix).toBe('--');
  });

  it('lets the last occurrence win for a single-valued flag', () => {
    expect(parse(['-etcd-prefix=/a', '--etcd-prefix', '/b']).values.prefix).toBe('/b');
  });

  it('appends every occurrence of a repeatable flag, in order', () => {
    expect(parse(['-iface', 'eth0', '--iface=10.0.0.1', '-iface=eth1']).values.ifaces).toEqual(['eth0', '10.0.0.1', 'eth1']);
  });

  it('reads int, uint, duration and custom kinds', () => {
    const r = parse(['-healthz-port=0x10', '-workers', '8', '-subnet-lease-ttl=1h30m', '-renew-margin', '5', '-v=2']);
    expect(r.values).toMatchObject({ port: 16, workers: 8, ttl: 5_400_000, margin: 5, verbosity: 2 });
  });

  it('parses durations with fractions, several units and a sign', () => {
    expect(parse(['-subnet-lease-ttl=1.5h']).values.ttl).toBe(5_400_000);
    expect(parse(['-subnet-lease-ttl=300ms']).values.ttl).toBe(300);
    expect(parse(['-subnet-lease-ttl=-1s']).values.ttl).toBe(-1000);
    expect(parse(['-subnet-lease-ttl=0']).values.ttl).toBe(0);
  });

  it('accepts ignored flags in both kinds without changing anything', () => {
    const r = parse(['-log_dir', '/tmp/x', '-logtostderr', '--logtostderr=false', '-etcd-prefix=/p']);
    expect(r.values.logDir).toBeUndefined();
    expect(r.values.logToStderr).toBeUndefined();
    expect(r.sources.logDir).toBe('cmdline');
    expect(r.values.prefix).toBe('/p');
  });
});

describe('parseCommandLine: booleans', () => {
  it('sets true for a bare flag, in both dash forms', () => {
    expect(parse(['-ip-masq']).values.ipMasq).toBe(true);
    expect(parse(['--ip-masq']).values.ipMasq).toBe(true);
  });

  it.each(['1', 't', 'T', 'TRUE', 'true', 'True'])('reads -ip-masq=%s as true', (text) => {
    expect(parse([`-ip-masq=${text}`]).values.ipMasq).toBe(true);
  });

  it.each(['0', 'f', 'F', 'FALSE', 'false', 'False'])('reads --iptables-forward-rules=%s as false', (text) => {
    const r = parse([`--iptables-forward-rules=${text}`]);
    expect(r.values.forwardRules).toBe(false);
    expect(r.sources.forwardRules).toBe('cmdline');
  });

  it('never takes a separate value: "-ip-masq false" is true followed by a positional', () => {
    const r = parse(['-ip-masq', 'false', '-etcd-prefix=/a']);
    expect(r.values.ipMasq).toBe(true);
    expect(r.positionals).toEqual(['false', '-etcd-prefix=/a']);
    expect(r.values.prefix).toBe('');
  });

  it('names the flag for a bad boolean value, in Go words', () => {
    expect(errorOf(['-ip-masq=yes']).message).toBe('invalid boolean value "yes" for -ip-masq: parse error');
    expect(errorOf(['--ip-masq=']).message).toBe('invalid boolean value "" for -ip-masq: parse error');
    expect(errorOf(['-logtostderr=maybe']).message).toBe('invalid boolean value "maybe" for -logtostderr: parse error');
  });

  it('handles a single-letter boolean', () => {
    expect(parse(['-q']).values.quiet).toBe(true);
  });
});

describe('parseCommandLine: where parsing stops', () => {
  it('stops at the first non-flag argument and returns the rest untouched', () => {
    const r = parse(['-ip-masq', 'run', '-etcd-prefix=/a', '--', 'x']);
    expect(r.values.ipMasq).toBe(true);
    expect(r.values.prefix).toBe('');
    expect(r.positionals).toEqual(['run', '-etcd-prefix=/a', '--', 'x']);
  });

  it('treats a lone "-" as a positional', () => {
    expect(parse(['-', '-ip-masq']).positionals).toEqual(['-', '-ip-masq']);
  });

  it('consumes "--" and returns everything after it', () => {
    const r = parse(['-ip-masq', '--', '-etcd-prefix=/a', 'b']);
    expect(r.values.ipMasq).toBe(true);
    expect(r.values.prefix).toBe('');
    expect(r.positionals).toEqual(['-etcd-prefix=/a', 'b']);
    expect(parse(['--']).positionals).toEqual([]);
  });

  it.each([['-h'], ['-help'], ['--help'], ['--h'], ['-help=false']])('reports a help request for %s (not defined here)', (arg) => {
    const r = parse(['-ip-masq', arg, '-unknown-after-help']);
    expect(r.helpRequested).toBe(true);
    expect(r.values.ipMasq).toBe(true);
  });

  it('treats -help as an ordinary flag when the table defines it', () => {
    const table = { help: boolFlag({ name: 'help', help: 'show usage' }), name: stringFlag({ name: 'name', help: 'n' }) };
    const r = parseCommandLine(table, ['--help', '-name=x']);
    expect(r.helpRequested).toBe(false);
    expect(r.values).toEqual({ help: true, name: 'x' });
    expect(parseCommandLine(table, ['-h']).helpRequested).toBe(true);
  });
});

describe('parseCommandLine: errors name the flag', () => {
  it('rejects an undefined flag', () => {
    const e = errorOf(['-ip-masq', '-foo']);
    expect(e.message).toBe('flag provided but not defined: -foo');
    expect(e).toMatchObject({ reason: 'undefined-flag', flag: 'foo', variable: undefined });
    expect(errorOf(['--foo=bar']).message).toBe('flag provided but not defined: -foo');
  });

  it('needs an argument for a non-boolean flag at the end', () => {
    const e = errorOf(['-iface']);
    expect(e.message).toBe('flag needs an argument: -iface');
    expect(e.reason).toBe('missing-value');
    expect(errorOf(['--subnet-lease-ttl']).message).toBe('flag needs an argument: -subnet-lease-ttl');
  });

  it('reports bad values with the value and the flag', () => {
    const e = errorOf(['--subnet-lease-ttl', 'abc']);
    expect(e.message).toBe('invalid value "abc" for flag -subnet-lease-ttl: invalid duration "abc"');
    expect(e).toMatchObject({ reason: 'invalid-value', flag: 'subnet-lease-ttl' });
    expect(e.cause).toBeInstanceOf(Error);
    expect(errorOf(['-subnet-lease-ttl=1d']).message).toBe(
      'invalid value "1d" for flag -subnet-lease-ttl: unknown unit "d" in duration "1d"',
    );
    expect(errorOf(['-healthz-port=8o']).message).toBe('invalid value "8o" for flag -healthz-port: parse error');
    expect(errorOf(['-healthz-port=99999999999999999999']).message).toBe(
      'invalid value "99999999999999999999" for flag -healthz-port: value out of range',
    );
    expect(errorOf(['-workers=-1']).message).toBe('invalid value "-1" for flag -workers: parse error');
    expect(errorOf(['-renew-margin', 'x']).message).toBe('invalid value "x" for flag -renew-margin: want whole minutes');
  });

  it.each([['---x'], ['-=x'], ['--=x'], ['---']])('rejects bad syntax %s', (arg) => {
    const e = errorOf([arg]);
    expect(e.message).toBe(`bad flag syntax: ${arg}`);
    expect(e.reason).toBe('bad-syntax');
  });

  it('reports the first problem in argument order', () => {
    expect(errorOf(['-foo', '-healthz-port=x']).message).toBe('flag provided but not defined: -foo');
    expect(errorOf(['-healthz-port=x', '-foo']).message).toMatch(/^invalid value "x" for flag -healthz-port/);
  });

  it('refuses a table that defines a name twice', () => {
    const table = { a: stringFlag({ name: 'x', help: '' }), b: boolFlag({ name: 'x', help: '' }) };
    expect(() => parseCommandLine(table, [])).toThrow('flag -x is defined twice (a, b)');
  });

  it('refuses malformed flag names at definition', () => {
    expect(() => stringFlag({ name: '-x', help: '' })).toThrow(/flag name "-x"/);
    expect(() => stringFlag({ name: 'a=b', help: '' })).toThrow(/flag name "a=b"/);
    expect(() => stringFlag({ name: '', help: '' })).toThrow(/flag name ""/);
  });

  it('does not change the input array', () => {
    const argv = ['-iface', 'a', 'pos'];
    parse(argv);
    expect(argv).toEqual(['-iface', 'a', 'pos']);
  });
});
