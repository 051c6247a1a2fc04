// The flanneld binary: runs the daemon's bundle (main.ts) from a V8 code cache, the one an earlier
// run saved in the state directory or else the build's, so that a start compiles little.
import path from 'node:path';
import { MainLoadError, runCodeCachedMain } from '@flannel-ts/code-cache';
import { codeCacheDir, stateDirHint } from './code-cache-dir.js';

/** The bundle's file name, beside this one (named by its content hash); set by the build. */
declare const FLANNEL_MAIN_FILE: string;

try {
  runCodeCachedMain(path.join(__dirname, FLANNEL_MAIN_FILE), codeCacheDir(stateDirHint(process.argv.slice(2), process.env)));
} catch (err) {
  if (!(err instanceof MainLoadError)) throw err;
  process.stderr.write(`flanneld: cannot load its code: ${err.message}\n`);
  process.exitCode = 1;
}
