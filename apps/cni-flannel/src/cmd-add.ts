import type { CniRequestEnv } from './cni-env.js';
import { CniCode, CniError } from './cni-error.js';
import { assertDelegatable, buildDelegateConfig } from './delegate-config.js';
import { findPlugin } from './find-plugin.js';
import { readFlannelEnv } from './flannel-env.js';
import { goJson } from './go-json.js';
import { invokeDelegate } from './invoke-delegate.js';
import { isJsonObject } from './json.js';
import type { FlannelNetConf } from './net-conf.js';
import { StateStore } from './state-store.js';

/**
 * ADD: fill in the delegate config from the subnet file, store it for DEL/CHECK (before the delegate
 * runs, so a DEL after a half-done ADD still knows what to undo), run the delegate's ADD and answer
 * with its result.
 */
export async function cmdAdd(request: CniRequestEnv, conf: FlannelNetConf, env: NodeJS.ProcessEnv): Promise<string> {
  assertDelegatable(conf);
  const delegate = buildDelegateConfig(conf, await readFlannelEnv(conf.subnetFile));
  const config = goJson(delegate);
  // A delegate that cannot be found sets nothing up, and its config would only make every DEL fail.
  const plugin = await findPlugin(delegate['type'] as string, request.path);
  await new StateStore(conf.dataDir).save(request.containerId, config);
  const result = await invokeDelegate('ADD', plugin, config, env);
  if (!isJsonResultObject(result)) {
    throw new CniError(CniCode.internal, `delegate plugin ${plugin} ADD succeeded but printed no JSON result: ${JSON.stringify(result.slice(0, 200))}`);
  }
  return result;
}

function isJsonResultObject(text: string): boolean {
  try {
    return isJsonObject(JSON.parse(text));
  } catch {
    return false;
  }
}
