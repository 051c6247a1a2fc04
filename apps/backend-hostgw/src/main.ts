import { runBackend } from '@flannel-ts/backend-protocol';
import { createHostGwBackend } from './host-gw-backend.js';

await runBackend('host-gw', createHostGwBackend);
