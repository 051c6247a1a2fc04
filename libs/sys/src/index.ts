export { sdNotify } from './sd-notify.js';
export { flock, type FlockMode } from './flock.js';
export { lockFile, type FileLock } from './lock-file.js';
export { setParentDeathSignal } from './parent-death-signal.js';
export { releaseMemory, releaseMemorySoon } from './low-memory.js';
