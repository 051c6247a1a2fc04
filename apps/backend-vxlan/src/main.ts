import { runBackend } from '@flannel-ts/backend-protocol';
import { createVxlanBackend } from './vxlan-backend.js';

await runBackend('vxlan', createVxlanBackend);
