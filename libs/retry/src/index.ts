export { errorText, isRetryable, RetryableError } from './retryable.js';
export { formatDelay, retrying, type RetryOptions } from './retrying.js';
