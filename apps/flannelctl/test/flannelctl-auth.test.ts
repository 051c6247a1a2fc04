import { afterAll, beforeAll, expect, test } from 'vitest';
import { enableEtcdAuth, startEtcd, type EtcdServer } from '@flannel-ts/testing';
import { assertBuilt, flannelctl } from './ctl-harness.js';

const PREFIX = '/flannelctl-auth';
const PASSWORD = 'pa55-Secret-word';
const CONFIG = '{"Network":"10.9.0.0/16","Backend":{"Type":"host-gw"}}';

let etcd: EtcdServer;

beforeAll(async () => {
  assertBuilt();
  etcd = await startEtcd();
  await etcd.etcdctl(['put', `${PREFIX}/config`, CONFIG]);
  await enableEtcdAuth(etcd, { rootPassword: 'root-pw', user: { name: 'flannel', password: PASSWORD, prefix: `${PREFIX}/` } });
});

afterAll(async () => {
  await etcd?.dispose();
});

test("etcd username/password from flanneld's FLANNELD_* variables", async () => {
  const env = { FLANNELD_ETCD_ENDPOINTS: etcd.endpoint, FLANNELD_ETCD_PREFIX: PREFIX, FLANNELD_ETCD_USERNAME: 'flannel', FLANNELD_ETCD_PASSWORD: PASSWORD };
  expect(await flannelctl(['config', 'get'], { env })).toMatchObject({ exitCode: 0, stdout: CONFIG });
  expect(await flannelctl(['reserve', '10.9.4.0/24', '192.0.2.4'], { env })).toMatchObject({ exitCode: 0 });
  expect((await flannelctl(['leases'], { env })).stdout.split('\n')[1]).toBe('10.9.4.0/24  192.0.2.4  -        -         -    yes');
});

test('a wrong password: one line naming the endpoint, without the password, exit 1', async () => {
  const result = await flannelctl(['config', 'get', '--etcd-endpoints', etcd.endpoint, '--etcd-prefix', PREFIX, '--etcd-username', 'flannel', '--etcd-password', 'wrong-pw']);
  expect(result).toMatchObject({ exitCode: 1, stdout: '' });
  expect(result.stderr).toMatch(new RegExp(`^flannelctl: etcd ${etcd.endpoint.replaceAll('.', '\\.')}: [^\\n]*auth[^\\n]*$`, 'i'));
  expect(result.stderr).not.toContain('wrong-pw');
});
