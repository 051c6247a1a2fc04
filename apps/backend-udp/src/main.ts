import { runBackend } from '@flannel-ts/backend-runner';
import { createUdpBackend } from './udp-backend.js';

runBackend('udp', createUdpBackend);
