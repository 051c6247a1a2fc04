import { constants } from 'node:os';
import { sysNative } from './load-native.js';

/**
 * Asks the kernel to send `signal` to this process when its parent dies (prctl PR_SET_PDEATHSIG),
 * so a backend never outlives a SIGKILLed flanneld. 0 clears it. If the parent died before this
 * call no signal will ever come: callers compare `process.ppid` with the pid they expect afterwards.
 */
export function setParentDeathSignal(signal: number | NodeJS.Signals): void {
  const number = typeof signal === 'number' ? signal : (constants.signals as Record<string, number | undefined>)[signal];
  if (number === undefined || !Number.isInteger(number) || number < 0) {
    throw new TypeError(`setParentDeathSignal: unknown signal ${JSON.stringify(signal)}`);
  }
  sysNative().setParentDeathSignal(number);
}
