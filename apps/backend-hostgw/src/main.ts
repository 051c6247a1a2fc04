import { runBackend } from '@flannel-ts/backend-runner';
import { createHostGwBackend } from './host-gw-backend.js';

runBackend('host-gw', createHostGwBackend);
