import type { CniRequestEnv } from './cni-env.js';
import { CniCode, CniError } from './cni-error.js';
import { assertVersionAllowsCheck } from './cni-version.js';
import { findPlugin } from './find-plugin.js';
import { goJson } from './go-json.js';
import { invokeDelegate } from './invoke-delegate.js';
import type { FlannelNetConf } from './net-conf.js';
import { StateStore } from './state-store.js';
import { parseStoredDelegate } from './stored-delegate.js';

/**
 * CHECK: the delegate checks what it set up, from the stored config plus the runtime's prevResult,
 * under the request's cniVersion (the version prevResult is written in).
 */
export async function cmdCheck(request: CniRequestEnv, conf: FlannelNetConf, env: NodeJS.ProcessEnv): Promise<string> {
  assertVersionAllowsCheck(conf.cniVersion);
  if (conf.prevResult === undefined) {
    throw new CniError(CniCode.invalidNetworkConfig, 'network config field "prevResult" is required for CHECK');
  }
  const store = new StateStore(conf.dataDir);
  const stored = await store.load(request.containerId);
  if (stored === undefined) {
    throw new CniError(CniCode.unknownContainer, `no delegate config stored for container ${request.containerId}`, `looked for ${store.pathOf(request.containerId)}`);
  }
  const delegate = parseStoredDelegate(stored);
  if (delegate === undefined) {
    throw new CniError(CniCode.internal, `${store.pathOf(request.containerId)} is not a delegate config`);
  }
  const config = goJson({ ...delegate, cniVersion: conf.cniVersion, prevResult: conf.prevResult });
  await invokeDelegate('CHECK', await findPlugin(delegate.type, request.path), config, env);
  return '';
}
