import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ExitError } from '@flannel-ts/cli';
import type { EtcdAccess } from '@flannel-ts/cli';

/** The PEM contents grpc needs for TLS to etcd, each checked. */
export interface EtcdTlsFiles {
  readonly rootCertificate?: Buffer;
  readonly certChain?: Buffer;
  readonly privateKey?: Buffer;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Reads and checks the TLS files of the etcd access flags. A missing, unreadable or malformed file
 * and a key that does not belong to its certificate are configuration mistakes: each ends the program
 * (exit 1) with one line naming the flag and the file, instead of surfacing later as a failed
 * handshake (grpc silently ignores a CA file holding no certificate and verifies against nothing).
 */
export async function readEtcdTlsFiles(o: Pick<EtcdAccess, 'cafile' | 'certfile' | 'keyfile'>): Promise<EtcdTlsFiles> {
  if (Boolean(o.certfile) !== Boolean(o.keyfile)) {
    throw new ExitError('--etcd-certfile and --etcd-keyfile must be given together');
  }
  const ca = o.cafile ? await readNamed('--etcd-cafile', o.cafile) : undefined;
  const cert = o.certfile ? await readNamed('--etcd-certfile', o.certfile) : undefined;
  const key = o.keyfile ? await readNamed('--etcd-keyfile', o.keyfile) : undefined;
  if (ca) certificates('--etcd-cafile', o.cafile!, ca);
  if (cert && key) {
    const [leaf] = certificates('--etcd-certfile', o.certfile!, cert);
    const privateKey = parseKey(o.keyfile!, key);
    if (!leaf!.checkPrivateKey(privateKey)) {
      throw new ExitError(`--etcd-keyfile ${o.keyfile}: not the private key of the certificate in --etcd-certfile ${o.certfile}`);
    }
  }
  return { ...(ca && { rootCertificate: ca }), ...(cert && { certChain: cert }), ...(key && { privateKey: key }) };
}

async function readNamed(flag: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new ExitError(`${flag} ${file}: cannot read it: ${(err as Error).message}`, 1, { cause: err });
  }
}

/** Every PEM certificate in `content`; at least one, each parseable. */
function certificates(flag: string, file: string, content: Buffer): X509Certificate[] {
  const blocks = content.toString('latin1').match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new ExitError(`${flag} ${file}: no PEM certificate in it (want "-----BEGIN CERTIFICATE-----")`);
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (err) {
      throw new ExitError(`${flag} ${file}: certificate ${i + 1} is not valid PEM: ${(err as Error).message}`, 1, { cause: err });
    }
  });
}

function parseKey(file: string, content: Buffer): KeyObject {
  try {
    return createPrivateKey(content);
  } catch (err) {
    throw new ExitError(`--etcd-keyfile ${file}: not a PEM private key (unencrypted): ${(err as Error).message}`, 1, { cause: err });
  }
}
