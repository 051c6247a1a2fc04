import { ModifyInstanceAttributeCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { errorText } from '@flannel-ts/retry';
import { ec2Call } from './ec2-call.js';

/**
 * Turns the instance's source/destination check off, so it may forward packets for its pods.
 * A failure is only logged, as flannel does: the instance may have been launched with it off, and
 * the operator may have granted no ModifyInstanceAttribute. Returns whether it worked.
 */
export async function disableSourceDestCheck(client: EC2Client, instanceId: string, log: { warn(message: string): void }): Promise<boolean> {
  try {
    await ec2Call({ action: 'ModifyInstanceAttribute', subject: `instance ${instanceId}` }, () =>
      client.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, SourceDestCheck: { Value: false } })),
    );
    return true;
  } catch (error) {
    log.warn(`Warning- disabling source destination check failed: ${errorText(error)}`);
    return false;
  }
}
