/**
 * What a TLS failure most likely means for the user of --remote, by Node's (OpenSSL's) error code;
 * undefined when the code is not a TLS one.
 */
export function tlsHint(code: string | undefined): string | undefined {
  if (!code) return undefined;
  if (SERVER_NOT_TRUSTED.has(code)) return "the server's certificate is not signed by the CA of --remote-cafile";
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return "the server's certificate does not name the --remote host";
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return "the server's certificate is outside its validity period";
  if (code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' || code === 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE') {
    return 'the server requires a client certificate: give --remote-certfile and --remote-keyfile';
  }
  if (/^ERR_SSL_(SSLV3|TLSV1)_ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|DECRYPT_ERROR)$/.test(code)) {
    return 'the server refused our client certificate (--remote-certfile): it is not signed by a CA the server trusts';
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    return 'the server does not speak TLS (it runs without --remote-certfile/--remote-keyfile?)';
  }
  return undefined;
}

const SERVER_NOT_TRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);
