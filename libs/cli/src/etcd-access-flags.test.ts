import { describe, expect, it } from 'vitest';
import { etcdAccess } from './etcd-access-flags.js';

const none = { etcdKeyfile: '', etcdCertfile: '', etcdCafile: '', etcdUsername: '', etcdPassword: '' };

describe('etcdAccess', () => {
  it('leaves out what is not set, and a password without a username', () => {
    expect(etcdAccess(['http://e1:2379'], { ...none, etcdPassword: 'p' })).toEqual({ endpoints: ['http://e1:2379'] });
  });

  it('takes TLS files and credentials as given', () => {
    const access = etcdAccess(['https://e1:2379', 'https://e2:2379'], {
      etcdKeyfile: '/k.pem',
      etcdCertfile: '/c.pem',
      etcdCafile: '/ca.pem',
      etcdUsername: 'flannel',
      etcdPassword: 'secret',
    });
    expect(access).toEqual({
      endpoints: ['https://e1:2379', 'https://e2:2379'],
      cafile: '/ca.pem',
      certfile: '/c.pem',
      keyfile: '/k.pem',
      username: 'flannel',
      password: 'secret',
    });
  });
});
