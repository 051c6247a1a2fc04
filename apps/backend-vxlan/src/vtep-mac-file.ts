import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
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
  read(): string | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
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

  private readQuietly(): string | undefined {
    try {
      return this.read();
    } catch {
      return undefined; // unreadable or corrupt: about to be overwritten
    }
  }

  /** The stored MAC; a new random one (stored) when there is none. */
  readOrCreate(): string {
    const existing = this.read();
    if (existing !== undefined) return existing;
    const mac = randomLocalMac(randomBytes(6));
    this.write(mac);
    return mac;
  }

  /** Stores `mac` atomically (temp file + rename), unless it is stored already. */
  write(mac: string): void {
    if (this.readQuietly() === mac) return;
    mkdirSync(path.dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, `${mac}\n`, { mode: 0o644 });
      renameSync(temp, this.path);
    } catch (err) {
      throw new Error(`writing the VTEP MAC to ${this.path}: ${(err as Error).message}`, { cause: err });
    }
  }
}
