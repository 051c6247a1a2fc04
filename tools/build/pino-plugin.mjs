// esbuild plugin: pino loads its transport support (thread-stream, and Node's worker_threads for
// it) whenever it is required, ~13 ms of every start in lite mode. flannel's programs log to a
// stream of their own from their main thread and never ask pino for a transport, so the bundles
// get a transport that says so instead, and `isMainThread` is what it always is in them. sonic-boom
// (pino's destination) loads Node's assert for one check: a plain one does.
import { readFile } from 'node:fs/promises';

const NO_TRANSPORT = "function () { throw new Error('pino transports are not part of the flannel-ts bundles') }";
const PATCHES = {
  'tools.js': [
    ["const { isMainThread } = require('worker_threads')", 'const isMainThread = true'],
    ["const transport = require('./transport')", `const transport = ${NO_TRANSPORT}`],
  ],
  'pino.js': [["module.exports.transport = require('./lib/transport')", `module.exports.transport = ${NO_TRANSPORT}`]],
  'sonic-boom': [["const assert = require('assert')", 'const assert = (ok, message) => { if (!ok) throw new Error(message) }']],
};

export function pinoPlugin() {
  return {
    name: 'pino-without-transports',
    setup(build) {
      build.onLoad({ filter: /[\\/]node_modules[\\/](pino[\\/](pino|lib[\\/]tools)|sonic-boom[\\/]index)\.js$/ }, async (args) => {
        let source = await readFile(args.path, 'utf8');
        const which = args.path.endsWith('tools.js') ? 'tools.js' : args.path.endsWith('pino.js') ? 'pino.js' : 'sonic-boom';
        for (const [from, to] of PATCHES[which]) {
          if (!source.includes(from)) throw new Error(`pino: ${args.path} no longer has "${from}"; update tools/build/pino-plugin.mjs`);
          source = source.replace(from, to);
        }
        return { contents: source, loader: 'js' };
      });
    },
  };
}
