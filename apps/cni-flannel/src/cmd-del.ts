import type { CniRequestEnv } from './cni-env.js';
import { findPlugin } from './find-plugin.js';
import { invokeDelegate } from './invoke-delegate.js';
import type { FlannelNetConf } from './net-conf.js';
import { StateStore } from './state-store.js';
import { parseStoredDelegate } from './stored-delegate.js';

/**
 * DEL: undo what ADD set up, from the stored delegate config only (the subnet file may have changed or
 * gone). Nothing stored means nothing to do. The stored file goes only once the delegate's DEL
 * succeeded, so the runtime's retry still finds it.
 */
export async function cmdDel(request: CniRequestEnv, conf: FlannelNetConf, env: NodeJS.ProcessEnv): Promise<string> {
  const store = new StateStore(conf.dataDir);
  const stored = await store.load(request.containerId);
  if (stored === undefined) return '';
  const delegate = parseStoredDelegate(stored);
  if (delegate === undefined) {
    // Nothing can be undone from it; keeping it would fail every retry of this DEL.
    process.stderr.write(`flannel: DEL ${request.containerId}: ${store.pathOf(request.containerId)} is not a delegate config; removing it\n`);
  } else {
    await invokeDelegate('DEL', await findPlugin(delegate.type, request.path), stored, env);
  }
  await store.remove(request.containerId);
  return '';
}
