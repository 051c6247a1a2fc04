export { CODE_CACHE_SUFFIX, COMMONJS_FUNCTION_HEAD, requireWithCodeCache, writeCodeCache, type CodeCacheUse, type Required } from './require-with-code-cache.js';
