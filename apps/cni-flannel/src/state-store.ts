import { readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '@flannel-ts/atomic-file';
import { join } from 'node:path';

/**
 * The longest container id whose state file can be written: a file name holds at most 255 bytes
 * (NAME_MAX), and the file is written through the temp file `.<id>.<pid>.tmp` beside it, which adds 13
 * (a Linux pid has at most 7 digits: pid_max is at most 2^22). Ids are ASCII (cni-env.ts), one byte each.
 */
export const MAX_CONTAINER_ID_LENGTH = 255 - '..4194304.tmp'.length;

/**
 * The delegate config of each container, kept from ADD for DEL and CHECK as `<dataDir>/<containerId>`
 * (directory 0700, file 0600): DEL must undo exactly what ADD set up, even after the subnet file changed.
 * Container ids are validated (cni-env.ts), so they never hold a `/`.
 */
export class StateStore {
  constructor(readonly dataDir: string) {}

  pathOf(containerId: string): string {
    return join(this.dataDir, containerId);
  }

  /** Replaces the stored config atomically (temp file + rename in the same directory). */
  async save(containerId: string, content: string): Promise<void> {
    // Ids start with a letter or digit, so a dot-name never collides with a container's file.
    await writeFileAtomic(this.pathOf(containerId), content, { mode: 0o600, dirMode: 0o700, what: 'saving delegate config' });
  }

  /** The stored config, or undefined when there is none. */
  async load(containerId: string): Promise<string | undefined> {
    const path = this.pathOf(containerId);
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`reading delegate config ${path}: ${(error as Error).message}`, { cause: error });
    }
  }

  async remove(containerId: string): Promise<void> {
    const path = this.pathOf(containerId);
    await rm(path, { force: true }).catch((error: Error) => {
      throw new Error(`removing delegate config ${path}: ${error.message}`, { cause: error });
    });
  }
}
