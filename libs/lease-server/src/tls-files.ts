import { readFile } from 'node:fs/promises';
import type { SecureContextOptions, TlsOptions } from 'node:tls';

export interface ServerTlsFiles {
  /** CA bundle client certificates must chain to; '' = no client certificates asked for. */
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * The TLS options of the server, undefined when no file is given (plain HTTP). With a CA file,
 * clients must present a certificate it signed.
 */
export async function serverTlsOptions(files: ServerTlsFiles): Promise<TlsOptions | undefined> {
  const { caFile, certFile, keyFile } = files;
  if (!caFile && !certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) {
    throw new Error('TLS needs both --remote-certfile and --remote-keyfile (the server certificate and its key)');
  }
  const [cert, key, ca] = await Promise.all([read(certFile, '--remote-certfile'), read(keyFile, '--remote-keyfile'), caFile ? read(caFile, '--remote-cafile') : undefined]);
  const context: SecureContextOptions = { cert, key, ...(ca ? { ca } : {}) };
  return { ...context, requestCert: ca !== undefined, rejectUnauthorized: ca !== undefined };
}

async function read(path: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new Error(`${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}
