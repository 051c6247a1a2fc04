import { describe, expect, it } from 'vitest';
import { passedEnv } from './backend-process.js';

describe('passedEnv', () => {
  it('passes the locale, the cloud SDK variables and proxies, and nothing else', () => {
    const env = {
      PATH: '/usr/bin',
      LANG: 'C.UTF-8',
      FLANNEL_LOG_FORMAT: 'text',
      AWS_ACCESS_KEY_ID: 'id',
      AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:1',
      GOOGLE_APPLICATION_CREDENTIALS: '/etc/key.json',
      GCE_METADATA_HOST: '127.0.0.1:2',
      METADATA_SERVER_DETECTION: 'assume-present',
      FLANNEL_GCE_COMPUTE_ENDPOINT: 'http://127.0.0.1:3',
      HTTPS_PROXY: 'http://proxy:3128',
      no_proxy: 'localhost',
      FLANNELD_ETCD_PASSWORD: 'hunter2',
      FLANNELD_ETCD_KEYFILE: '/etc/key.pem',
      HOME: '/root',
      AWS_: 'no name after the prefix',
    };
    expect(Object.keys(passedEnv(env)).sort()).toEqual([
      'AWS_ACCESS_KEY_ID',
      'AWS_ENDPOINT_URL_EC2',
      'FLANNEL_GCE_COMPUTE_ENDPOINT',
      'FLANNEL_LOG_FORMAT',
      'GCE_METADATA_HOST',
      'GOOGLE_APPLICATION_CREDENTIALS',
      'HTTPS_PROXY',
      'LANG',
      'METADATA_SERVER_DETECTION',
      'PATH',
      'no_proxy',
    ]);
  });
});
