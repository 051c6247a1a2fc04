export { CODE_CACHE_SUFFIX, requireWithCodeCache, writeCodeCache, type CodeCacheUse, type Required } from './require-with-code-cache.js';
