import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '@flannel-ts/atomic-file';
import { isUnicastMac, normaliseMac, randomLocalMac } from './mac.js';

/**
 * `<stateDir>/vtep-mac.<VNI>`: the VTEP MAC this daemon advertises, kept across restarts so a
 * recreated device (deleted by hand, say) gets the MAC peers already know.
 */
export class VtepMacFile {
  readonly path: string;

  constructor(stateDir: string, vni: number) {
    this.path = path.join(stateDir, `vtep-mac.${vni}`);
  }

  /** The stored MAC, or undefined when there is no file yet. */
  async read(): Promise<string | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`reading the VTEP MAC from ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    const mac = normaliseMac(text.trim());
    if (mac === undefined || !isUnicastMac(mac)) {
      throw new Error(`${this.path} holds ${JSON.stringify(text.trim())}, not a unicast MAC address; delete it to get a new one`);
    }
    return mac;
  }

  /** The stored MAC; a new random one (stored) when there is none. */
  async readOrCreate(): Promise<string> {
    const existing = await this.read();
    if (existing !== undefined) return existing;
    const mac = randomLocalMac(await kernelRandomBytes(6));
    await this.write(mac);
    return mac;
  }

  /** Stores `mac` (through libs/atomic-file: temp file, fsync, rename), unless it is stored already. */
  async write(mac: string): Promise<void> {
    // Unreadable or corrupt: about to be overwritten.
    if ((await this.read().catch(() => undefined)) === mac) return;
    await writeFileAtomic(this.path, `${mac}\n`, { dirMode: 0o755, what: 'writing the VTEP MAC to' });
  }
}

/** `count` bytes from /dev/urandom: loading `node:crypto` for them would cost the backend 0.7 MiB of RSS. */
async function kernelRandomBytes(count: number): Promise<Buffer> {
  const file = await open('/dev/urandom', 'r');
  try {
    const bytes = Buffer.alloc(count);
    const { bytesRead } = await file.read(bytes, 0, count, null);
    if (bytesRead !== count) throw new Error(`/dev/urandom gave ${bytesRead} of ${count} bytes`);
    return bytes;
  } finally {
    await file.close();
  }
}
