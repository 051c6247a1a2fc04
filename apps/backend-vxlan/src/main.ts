import { runBackend } from '@flannel-ts/backend-runner';
import { createVxlanBackend } from './vxlan-backend.js';

runBackend('vxlan', createVxlanBackend);
