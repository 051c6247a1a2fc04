import { describe, expect, it } from 'vitest';
import { apiFailure } from './api-error.js';
import { computeEndpoint } from './compute-endpoint.js';
import { lastPathElement, managedRouteName, ownRouteName } from './route-names.js';

describe('route names', () => {
  it('names the own route as Go flanneld and the route manager as flannel-route-manager', () => {
    expect(ownRouteName('10.1.15.0/24')).toBe('flannel-10-1-15-0-24');
    expect(managedRouteName('default', '10.244.72.0/24')).toBe('flannel-default-10-244-72-0-24');
    expect(lastPathElement('projects/123/zones/us-central1-a')).toBe('us-central1-a');
    expect(lastPathElement('projects/123/networks/default/')).toBe('default');
  });
});

describe('computeEndpoint', () => {
  it('turns FLANNEL_GCE_COMPUTE_ENDPOINT into client options; unset is Google', () => {
    expect(computeEndpoint(undefined)).toEqual({});
    expect(computeEndpoint('http://127.0.0.1:8089')).toEqual({ apiEndpoint: '127.0.0.1', port: 8089, protocol: 'http' });
    expect(computeEndpoint('https://compute.example')).toEqual({ apiEndpoint: 'compute.example', port: 443, protocol: 'https' });
  });

  it('refuses what is not http(s)://host[:port], naming the variable', () => {
    expect(() => computeEndpoint('ftp://127.0.0.1:8089')).toThrow('FLANNEL_GCE_COMPUTE_ENDPOINT="ftp://127.0.0.1:8089": expected http(s)://host[:port] with no path');
    expect(() => computeEndpoint('http://x/compute/v1')).toThrow('expected http(s)://host[:port] with no path');
    expect(() => computeEndpoint('127.0.0.1:8089')).toThrow('FLANNEL_GCE_COMPUTE_ENDPOINT="127.0.0.1:8089" is not a URL (expected e.g. http://127.0.0.1:8089)');
  });
});

describe('apiFailure', () => {
  it("reads Google's JSON error body out of the transport's error, and errno codes out of connection failures", () => {
    const body = { error: { code: 403, message: "Quota 'ROUTES' exceeded.", errors: [{ reason: 'quotaExceeded' }] } };
    expect(apiFailure(Object.assign(new Error(JSON.stringify(body)), { code: 403 }))).toEqual({ status: 403, reason: 'quotaExceeded', message: "Quota 'ROUTES' exceeded." });
    expect(apiFailure(Object.assign(new Error('request failed, reason: connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toEqual({
      reason: 'ECONNREFUSED',
      message: 'request failed, reason: connect ECONNREFUSED 127.0.0.1:1',
    });
    expect(apiFailure(Object.assign(new Error('<html>bad gateway</html>'), { status: 502 }))).toEqual({ status: 502, message: '<html>bad gateway</html>' });
  });
});
