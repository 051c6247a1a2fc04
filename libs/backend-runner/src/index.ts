export { runBackend, runBackendMain } from './run-backend.js';
export { LOCK_FILE_NAME } from './daemon-lock.js';
export { interfaceFacts, type InterfaceQuery, type ReadSnapshot } from './interface-facts.js';
