import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runChecked } from '../run.js';

/** A certificate and its private key, as PEM files. */
export interface CertFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export interface IssueOptions {
  /** IP addresses for the subjectAltName (a server's addresses; etcd and gRPC check them). */
  readonly ips?: readonly string[];
  /** DNS names for the subjectAltName. */
  readonly dnsNames?: readonly string[];
}

/** A throwaway certificate authority made with `openssl`, issuing server and client certificates. */
export interface TestCa extends CertFiles {
  readonly name: string;
  /** A certificate for both serverAuth and clientAuth, named `name` (its CN; etcd takes a client's CN as its user). */
  issue(name: string, options?: IssueOptions): Promise<CertFiles>;
}

const DAYS = '2';
/** P-256 keys: generated in milliseconds, accepted by etcd (Go) and Node's TLS alike. */
const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Makes a CA named `name` in `dir` (files `<name>.crt` / `<name>.key`). */
export async function makeTestCa(dir: string, name = 'flannel-test-ca'): Promise<TestCa> {
  const ca: CertFiles = { certFile: path.join(dir, `${name}.crt`), keyFile: path.join(dir, `${name}.key`) };
  await openssl([
    'req', '-x509', ...KEY, '-keyout', ca.keyFile, '-out', ca.certFile, '-days', DAYS, '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return {
    name,
    ...ca,
    async issue(leaf, options = {}) {
      const files: CertFiles = { certFile: path.join(dir, `${leaf}.crt`), keyFile: path.join(dir, `${leaf}.key`) };
      const csr = path.join(dir, `${leaf}.csr`);
      const extFile = path.join(dir, `${leaf}.ext`);
      const alt = [...(options.ips ?? []).map((ip) => `IP:${ip}`), ...(options.dnsNames ?? []).map((d) => `DNS:${d}`)];
      await writeFile(
        extFile,
        [
          'basicConstraints=critical,CA:FALSE',
          'keyUsage=critical,digitalSignature,keyEncipherment',
          'extendedKeyUsage=serverAuth,clientAuth',
          ...(alt.length > 0 ? [`subjectAltName=${alt.join(',')}`] : []),
        ].join('\n') + '\n',
      );
      await openssl(['req', '-new', ...KEY, '-keyout', files.keyFile, '-out', csr, '-subj', `/CN=${leaf}`]);
      await openssl([
        // A random serial rather than -CAcreateserial's file, which concurrent issue() calls would race on.
        'x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-set_serial', `0x${randomBytes(15).toString('hex')}`,
        '-days', DAYS, '-out', files.certFile, '-extfile', extFile,
      ]);
      return files;
    },
  };
}

function openssl(args: readonly string[]): Promise<string> {
  return runChecked('openssl', args);
}
