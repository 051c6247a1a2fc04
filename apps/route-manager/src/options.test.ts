import { describe, expect, it } from 'vitest';
import { parseRouteManagerArgs, type ParseOutcome } from './options.js';

const run = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const outcome = parseRouteManagerArgs(argv, env);
  if (outcome.kind !== 'run') throw new Error(`expected options, got exit ${outcome.code}: ${outcome.stderr}`);
  return outcome.options;
};
const exitOf = (outcome: ParseOutcome) => {
  if (outcome.kind !== 'exit') throw new Error('expected an exit');
  return { code: outcome.code, first: outcome.stderr.split('\n')[0] };
};

describe('flannel-route-manager options', () => {
  it("defaults to the original's", () => {
    expect(run([])).toEqual({
      backend: 'google',
      etcd: { endpoints: ['http://127.0.0.1:4001'] },
      etcdPrefix: '/coreos.com/network',
      syncIntervalMs: 30_000,
      deleteAllRoutes: false,
      verbosity: 0,
    });
  });

  it("takes the original's single-dash flags and a list of endpoints that wins over -etcd-endpoint", () => {
    const o = run(['-backend=aws', '-etcd-endpoint', 'http://e0:2379', '-etcd-endpoints=http://e1:2379,http://e2:2379', '-sync-interval=300', '-delete-all-routes', '-aws-route-table=rtb-0abc']);
    expect(o).toMatchObject({ backend: 'aws', etcd: { endpoints: ['http://e1:2379', 'http://e2:2379'] }, syncIntervalMs: 300_000, deleteAllRoutes: true, awsRouteTableId: 'rtb-0abc' });
    expect(run(['--etcd-endpoint=http://e0:2379']).etcd.endpoints).toEqual(['http://e0:2379']);
    expect(run(['-sync-interval=1m30s']).syncIntervalMs).toBe(90_000);
  });

  it('passes the etcd TLS and auth flags on', () => {
    const o = run(['-etcd-cafile=/ca', '-etcd-certfile=/c', '-etcd-keyfile=/k', '-etcd-username=u', '-etcd-password=p']);
    expect(o.etcd).toEqual({ endpoints: ['http://127.0.0.1:4001'], cafile: '/ca', certfile: '/c', keyfile: '/k', username: 'u', password: 'p' });
  });

  it('reads FLANNEL_ROUTE_MANAGER_* variables, the command line winning', () => {
    const env = { FLANNEL_ROUTE_MANAGER_SYNC_INTERVAL: '5', FLANNEL_ROUTE_MANAGER_ETCD_PREFIX: '/x' };
    expect(run([], env)).toMatchObject({ syncIntervalMs: 5_000, etcdPrefix: '/x' });
    expect(run(['-sync-interval=7'], env).syncIntervalMs).toBe(7_000);
  });

  it("ends an unknown backend as the original did, with exit status 1", () => {
    expect(exitOf(parseRouteManagerArgs(['-backend=azure'], {}))).toEqual({ code: 1, first: 'unknown backend azure (-backend takes google or aws)' });
  });

  it('refuses bad values with one line naming the flag or variable, exit 2', () => {
    const cases: Array<[string[], NodeJS.ProcessEnv, string]> = [
      [['-sync-interval=0'], {}, 'invalid value "0" for flag -sync-interval: must be above zero'],
      [['-sync-interval=soon'], {}, 'invalid value "soon" for flag -sync-interval: want a number of seconds or a duration such as 30s or 5m'],
      [['-etcd-endpoints=http://a,'], {}, 'invalid value "http://a," for flag -etcd-endpoints: empty element in comma-separated list'],
      [['-backend=aws', '-aws-route-table=main'], {}, 'invalid value "main" for flag -aws-route-table: want an EC2 route table id such as rtb-0abc123'],
      [['-aws-route-table=rtb-1'], {}, '-aws-route-table applies to -backend=aws only (got -backend=google)'],
      [['-etcd-certfile=/c'], {}, '-etcd-certfile and -etcd-keyfile must be given together'],
      [['-nope'], {}, 'flag provided but not defined: -nope'],
      [['extra'], {}, 'unexpected argument: extra'],
      [[], { FLANNEL_ROUTE_MANAGER_DELETE_ALL_ROUTES: 'maybe' }, 'invalid value "maybe" for FLANNEL_ROUTE_MANAGER_DELETE_ALL_ROUTES: parse error'],
    ];
    for (const [argv, env, line] of cases) expect(exitOf(parseRouteManagerArgs(argv, env))).toEqual({ code: 2, first: line });
  });

  it('prints usage for -help and the version for -version, exit 0', () => {
    expect(exitOf(parseRouteManagerArgs(['-help'], {}))).toEqual({ code: 0, first: 'Usage: flannel-route-manager [OPTION]...' });
    expect(exitOf(parseRouteManagerArgs(['--version'], {}))).toEqual({ code: 0, first: '0.1.0' });
  });
});
