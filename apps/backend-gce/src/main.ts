import { runBackend } from '@flannel-ts/backend-runner';
import { createGceBackend } from './gce-backend.js';

runBackend('gce', createGceBackend);
