import { existsSync } from 'node:fs';

/** For beforeAll of tests that exercise a real addon: says plainly how to get it when it is missing. */
export function assertAddonBuilt(project: string, addonPath: string): void {
  if (!existsSync(addonPath)) {
    throw new Error(`the ${project} addon is not built (${addonPath} is missing): run "NX_DAEMON=false npx nx run ${project}:build" first`);
  }
}
