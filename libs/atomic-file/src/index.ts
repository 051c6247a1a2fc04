export { writeFileAtomic, type AtomicWriteOptions } from './write-file-atomic.js';
