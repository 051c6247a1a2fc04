import { runBackend } from '@flannel-ts/backend-runner';
import { createGceBackend } from './gce-backend.js';

await runBackend('gce', createGceBackend);
