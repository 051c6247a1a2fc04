// Run by the tests in a process of its own: V8 also keeps compiled scripts in memory, so a cache is
// only put to the test by a fresh isolate. Prints what the library reports, as JSON.
import { compiledFromSaved, runCodeCachedMain, runningMain, saveMainCodeCache } from './code-cached-main.js';
import { compileWithCodeCache, requireWithCodeCache, writeCodeCache } from './require-with-code-cache.js';

const [mode, file, ...rest] = process.argv.slice(2);
if (mode === 'write') await writeCodeCache(file!);
else if (mode === 'write-compiled') await writeCodeCache(file!, { run: false });
else if (mode === 'compile') console.log(JSON.stringify({ cache: compileWithCodeCache(file!).cache }));
else if (mode === 'main') {
  // The main module sets globalThis.answer; rest = [dir the runs save in].
  const dir = rest[0]!;
  runCodeCachedMain(file!, dir);
  const main = runningMain();
  const fromSaved = compiledFromSaved(dir);
  const saved = await saveMainCodeCache(dir).catch((err: Error) => ({ file: undefined, error: err.message }));
  const error = saved && 'error' in saved ? saved.error : undefined;
  console.log(JSON.stringify({ cache: main?.cache, cacheFile: main?.cacheFile, fromSaved, saved: saved?.file, error, answer: (globalThis as { answer?: number }).answer }));
} else {
  const { exports, cache, cacheFile } = requireWithCodeCache(file!, rest.length ? rest : undefined);
  console.log(JSON.stringify({ cache, cacheFile, answer: (exports as { answer(): number }).answer() }));
}
