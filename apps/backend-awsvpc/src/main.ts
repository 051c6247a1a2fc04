import { runBackend } from '@flannel-ts/backend-runner';
import { createAwsVpcBackend } from './aws-vpc-backend.js';

await runBackend('aws-vpc', createAwsVpcBackend);
