import { runBackend } from '@flannel-ts/backend-runner';
import { createAwsVpcBackend } from './aws-vpc-backend.js';

runBackend('aws-vpc', createAwsVpcBackend);
