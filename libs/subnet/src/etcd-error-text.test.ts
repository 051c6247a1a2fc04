import { describe, expect, it } from 'vitest';
import { etcdErrorText } from './etcd-error-text.js';

const openssl = (reason: string) =>
  `14 UNAVAILABLE: No connection established. Last error: 80BC29C9307F0000:error:0A000412:SSL routines:ssl3_read_bytes:${reason}:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 42\n (2026-12-04T20:17:35.855Z). Resolution note: `;

describe('etcdErrorText', () => {
  it('names the missing or refused client certificate', () => {
    expect(etcdErrorText(openssl('sslv3 alert bad certificate'), {})).toBe(
      'TLS handshake refused by the server (bad certificate): it wants a client certificate (--etcd-certfile and --etcd-keyfile) and none was given',
    );
    expect(etcdErrorText(openssl('tlsv13 alert certificate required'), { certfile: '/c.pem' })).toBe(
      'TLS handshake refused by the server (certificate required): it does not accept the client certificate of --etcd-certfile /c.pem',
    );
  });

  it('names the CA an untrusted server certificate was checked against', () => {
    const msg = '14 UNAVAILABLE: No connection established. Last error: Error: unable to verify the first certificate. Resolution note: ';
    expect(etcdErrorText(msg, { cafile: '/ca.pem' })).toBe(
      "TLS: the server's certificate is not trusted (unable to verify the first certificate), checked against --etcd-cafile /ca.pem",
    );
    expect(etcdErrorText('14 UNAVAILABLE: Last error: self-signed certificate', {})).toBe(
      "TLS: the server's certificate is not trusted (self-signed certificate), checked against the system CA store (no --etcd-cafile given)",
    );
  });

  it('says which name the server certificate lacks and which it has', () => {
    const prefix = "14 UNAVAILABLE: No connection established. Last error: Error: Hostname/IP does not match certificate's altnames: ";
    expect(etcdErrorText(`${prefix}IP: 192.0.2.9 is not in the cert's list: 192.0.2.1, 127.0.0.1. Resolution note: `, {})).toBe(
      "TLS: the server's certificate does not name 192.0.2.9 (its addresses: 192.0.2.1, 127.0.0.1): give the endpoint as one it names, or reissue it",
    );
    expect(etcdErrorText(`${prefix}Host: etcd.example. is not in the cert's list: `, {})).toBe(
      "TLS: the server's certificate does not name etcd.example (its host names: none): give the endpoint as one it names, or reissue it",
    );
  });

  it('suggests the scheme when TLS meets plain text or the other way round', () => {
    expect(etcdErrorText('14 UNAVAILABLE: No connection established. Last error: Error: Client network socket disconnected before secure TLS connection was established', {})).toBe(
      'TLS handshake failed (socket disconnected before secure TLS connection was established): is the server serving plain http on this endpoint?',
    );
    expect(etcdErrorText('14 UNAVAILABLE: No connection established. Last error: Failed to connect (2026-12-04T20:17:35.962Z). Resolution note: ', {})).toBe(
      '14 UNAVAILABLE: No connection established. Last error: Failed to connect (the server hung up at once: does it want https?)',
    );
  });

  it('passes other messages on in one line', () => {
    expect(etcdErrorText('3 INVALID_ARGUMENT: etcdserver: authentication failed, invalid user ID or password', {})).toBe(
      '3 INVALID_ARGUMENT: etcdserver: authentication failed, invalid user ID or password',
    );
    expect(etcdErrorText('a\n  b', {})).toBe('a b');
  });
});
