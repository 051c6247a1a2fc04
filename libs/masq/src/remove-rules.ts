import { masqDriver, resolveMasqBackend } from './choose-backend.js';
import { createCommandRunner, type CommandRunner } from './command-runner.js';
import { masqNames } from './masq-names.js';
import type { MasqLocation } from './masq-options.js';
import type { MasqFeatures } from './masq-rules.js';

/** Removes this daemon's masquerade chain and the jump to it (none there is fine); nothing else is touched. */
export function removeMasq(location: MasqLocation, run?: CommandRunner): Promise<void> {
  return removeFeatures(location, { masq: true, forward: false }, run);
}

/** Removes this daemon's FORWARD accept chain and the jump to it (none there is fine); nothing else is touched. */
export function removeForward(location: MasqLocation, run?: CommandRunner): Promise<void> {
  return removeFeatures(location, { masq: false, forward: true }, run);
}

async function removeFeatures(location: MasqLocation, remove: MasqFeatures, run = createCommandRunner(location.netns)): Promise<void> {
  const backend = await resolveMasqBackend(location.backend, run);
  await masqDriver(backend, run).remove(masqNames(location.etcdPrefix), remove);
}
