export {
  CODE_CACHE_SUFFIX,
  COMMONJS_FUNCTION_HEAD,
  codeCacheOf,
  compileWithCodeCache,
  requireWithCodeCache,
  runModule,
  writeCodeCache,
  type CodeCacheUse,
  type Required,
} from './require-with-code-cache.js';
export { compiledFromSaved, MainLoadError, runCodeCachedMain, runningMain, saveMainCodeCache, savedCacheFile, type CodeCachedMain, type SavedCodeCache } from './code-cached-main.js';
export { saveMainCodeCacheSoon } from './save-soon.js';
