export { loadAddon } from './load-addon.js';
export { addonCandidates, lazyAddon } from './lazy-addon.js';
