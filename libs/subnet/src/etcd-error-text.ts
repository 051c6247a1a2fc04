import type { EtcdAccess } from '@flannel-ts/cli';

/** What grpc says when the TLS handshake fails because the server refused our certificate (or its absence). */
const REFUSED_BY_SERVER = /alert (bad certificate|certificate required|unknown ca|certificate unknown|certificate expired|handshake failure)/;
/** Node's reasons for not trusting the server's certificate. */
const UNTRUSTED_SERVER =
  /(unable to verify the first certificate|self[- ]signed certificate( in certificate chain)?|unable to get (local )?issuer certificate|certificate has expired|certificate is not yet valid)/;
/** Node's reason for a server certificate that does not name the address or host we dialled. */
const OTHER_NAME = /(?:Host|IP): (\S+?)\.? is not (?:in the cert's list: ?(.*)|cert's CN: (.*))$/;
/** A TLS client talking to a plain-text server. */
const NOT_TLS = /(wrong version number|packet length too long|record layer failure|socket disconnected before secure TLS connection was established)/;
/** grpc over plain text to a server that only speaks TLS: it hangs up without an HTTP/2 answer. */
const CLOSED_AT_ONCE = /Last error: Failed to connect$/;

/**
 * grpc's message for a failed call to etcd as one readable line: what went wrong with TLS and which
 * flag to look at, without grpc's timestamp, OpenSSL's error codes or line breaks. Other messages
 * pass through with their whitespace collapsed.
 */
export function etcdErrorText(message: string, access: Pick<EtcdAccess, 'cafile' | 'certfile'>): string {
  const plain = message
    .replace(/\s*\(\d{4}-\d\d-\d\dT[\d:.]+Z\)/, '')
    .replace(/\.?\s*Resolution note:.*$/s, '')
    .replace(/\s+/g, ' ')
    .replace('Last error: Error: ', 'Last error: ')
    .trim();
  const refused = REFUSED_BY_SERVER.exec(plain);
  if (refused) {
    const ours = access.certfile
      ? `it does not accept the client certificate of --etcd-certfile ${access.certfile}`
      : 'it wants a client certificate (--etcd-certfile and --etcd-keyfile) and none was given';
    return `TLS handshake refused by the server (${refused[1]}): ${ours}`;
  }
  const otherName = OTHER_NAME.exec(plain);
  if (otherName) {
    const kind = plain.includes('IP: ') ? 'addresses' : 'host names';
    // Without DNS names in the certificate, Node compares a host name with its common name.
    const names = otherName[3] !== undefined ? `its common name: ${otherName[3]}` : `its ${kind}: ${otherName[2] || 'none'}`;
    return `TLS: the server's certificate does not name ${otherName[1]} (${names}): give the endpoint as one it names, or reissue it`;
  }
  const untrusted = UNTRUSTED_SERVER.exec(plain);
  if (untrusted) {
    const against = access.cafile ? `--etcd-cafile ${access.cafile}` : 'the system CA store (no --etcd-cafile given)';
    return `TLS: the server's certificate is not trusted (${untrusted[1]}), checked against ${against}`;
  }
  const notTls = NOT_TLS.exec(plain);
  if (notTls) return `TLS handshake failed (${notTls[1]}): is the server serving plain http on this endpoint?`;
  if (CLOSED_AT_ONCE.test(plain)) return `${plain} (the server hung up at once: does it want https?)`;
  return plain;
}
