import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempDir, type TempDir } from '../temp-dir.js';
import type { Lab } from './lab.js';

const scratchDirs = new WeakMap<Lab, TempDir>();
const counters = new WeakMap<Lab, number>();

/**
 * A fresh path for one output file (ping, ip monitor, iperf3 logs) in a directory of the lab's own,
 * removed by lab.destroy(). `label` becomes part of the name: "ping-ftabc-p1" -> ".../3-ping-ftabc-p1.log".
 */
export function labOutputFile(lab: Lab, label: string): string {
  let dir = scratchDirs.get(lab);
  if (dir === undefined) {
    const created = tempDir(scratchDirStem(lab.prefix));
    lab.addCleanup(() => created.remove());
    scratchDirs.set(lab, created);
    dir = created;
  }
  const count = (counters.get(lab) ?? 0) + 1;
  counters.set(lab, count);
  return join(dir.path, `${count}-${label.replace(/[^A-Za-z0-9_.-]/g, '_')}.log`);
}

/** tempDir adds "-<random>" to this. */
const scratchDirStem = (prefix: string): string => `flannel-ts-${prefix}-out`;

/** Removes the output directories a lab whose owner died left in os.tmpdir(). */
export function removeLeftoverScratchDirs(prefix: string): void {
  const stem = `${scratchDirStem(prefix)}-`;
  let entries: string[];
  try {
    entries = readdirSync(tmpdir()).filter((entry) => entry.startsWith(stem));
  } catch {
    return;
  }
  for (const entry of entries) rmSync(join(tmpdir(), entry), { recursive: true, force: true });
}
