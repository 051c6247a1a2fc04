import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

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
    const path = this.pathOf(containerId);
    // Ids start with a letter or digit, so a dot-name never collides with a container's file.
    const temp = join(this.dataDir, `.${containerId}.${process.pid}.tmp`);
    try {
      await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
      const file = await open(temp, 'w', 0o600);
      try {
        await file.writeFile(content, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => {});
      throw new Error(`saving delegate config ${path}: ${(error as Error).message}`, { cause: error });
    }
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
