export {
  CODE_CACHE_SUFFIX,
  COMMONJS_FUNCTION_HEAD,
  compileWithCodeCache,
  requireWithCodeCache,
  writeCodeCache,
  type CodeCacheUse,
  type Required,
} from './require-with-code-cache.js';
export { MainLoadError, runCodeCachedMain } from './code-cached-main.js';
export { saveMainCodeCacheSoon } from './save-soon.js';
