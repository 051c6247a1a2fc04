// Run by the tests in a process of its own: V8 also keeps compiled scripts in memory, so a cache is
// only put to the test by a fresh isolate. Prints what requireWithCodeCache reports, as JSON.
import { requireWithCodeCache, writeCodeCache } from './require-with-code-cache.js';

const [mode, file] = process.argv.slice(2);
if (mode === 'write') await writeCodeCache(file!);
else {
  const { exports, cache } = requireWithCodeCache(file!);
  console.log(JSON.stringify({ cache, answer: (exports as { answer(): number }).answer() }));
}
