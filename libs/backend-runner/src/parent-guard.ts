import { SUPERVISOR_PID_ENV } from '@flannel-ts/backend-protocol';
import { setParentDeathSignal } from '@flannel-ts/sys';

/**
 * Under flanneld: asks the kernel for SIGTERM when the parent dies, then checks the parent is still
 * the supervisor that started us (it may have died before the request; then no signal would ever
 * come). Returns why we must not run, or undefined. Without FLANNEL_SUPERVISOR_PID there is nothing
 * to compare with and only the signal is armed.
 */
export function guardParent(env: NodeJS.ProcessEnv, ppid: () => number = () => process.ppid): string | undefined {
  setParentDeathSignal('SIGTERM');
  const expected = env[SUPERVISOR_PID_ENV];
  if (expected === undefined || expected === '') return undefined;
  if (!/^[1-9]\d*$/.test(expected)) return `${SUPERVISOR_PID_ENV} is ${JSON.stringify(expected)}, not a pid`;
  const parent = ppid();
  if (parent !== Number(expected)) return `the supervisor (pid ${expected}) is gone: our parent is now pid ${parent}`;
  return undefined;
}
