import { runBackend } from '@flannel-ts/backend-protocol';
import { createUdpBackend } from './udp-backend.js';

await runBackend('udp', createUdpBackend);
