import { loadAddon } from './load-addon.js';

/**
 * Where an addon built by node-gyp may live, in the order tried: beside the calling module (a
 * bundle in dist/apps/<app>/, where tools/build/bundle.mjs copies it), one directory up (the caller
 * being one of that bundle's chunks in dist/apps/<app>/chunks/), then the source tree's
 * `build/Release/` (the caller being `<project>/src/*.ts`). `base` is the caller's import.meta.url.
 */
export function addonCandidates(file: string, base: string): URL[] {
  return [new URL(`./${file}`, base), new URL(`../${file}`, base), new URL(`../build/Release/${file}`, base)];
}

/**
 * The getter of a project's addon, loading it on first call (never at import); a failure lists every
 * path tried. `project` names the Nx project that builds it.
 */
export function lazyAddon<T>(project: string, file: string, base: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= loadAddon(project, addonCandidates(file, base)) as T);
}
