import type { Logger } from '@flannel-ts/log';
import { createVxlan, deleteLink, getLink, setLinkMtu, setLinkUp, type LinkInfo } from '@flannel-ts/netlink';
import { incompatibility, type VxlanDeviceSpec } from './device-compat.js';
import type { VtepMacFile } from './vtep-mac-file.js';

export interface VxlanDevice {
  readonly index: number;
  readonly name: string;
  readonly mac: string;
  readonly mtu: number;
}

/**
 * Creates `flannel.<VNI>` or reuses a compatible one (recreating an incompatible one), sets its
 * MTU and brings it up. The MAC: a reused device keeps its own (and it is stored); a new one
 * gets the stored MAC, or a new random one.
 */
export async function ensureVxlanDevice(spec: VxlanDeviceSpec, macFile: VtepMacFile, log: Logger): Promise<VxlanDevice> {
  let link = reusableLink(spec, log);
  if (link) {
    if (!link.mac) throw new Error(`vxlan link ${spec.name} reports no MAC address`);
    await macFile.write(link.mac);
    log.info(`Reusing vxlan device ${spec.name} (index ${link.index}, VtepMAC ${link.mac})`);
  } else {
    const mac = await macFile.readOrCreate();
    link = createVxlan({
      name: spec.name,
      vni: spec.vni,
      local: spec.local,
      vtepIndex: spec.vtepIndex,
      port: spec.port,
      learning: spec.learning,
      gbp: spec.gbp,
      mac,
      mtu: spec.mtu,
    });
    if (link.mac !== mac) throw new Error(`vxlan link ${spec.name} was created with MAC ${link.mac ?? 'none'}, not ${mac}`);
    log.info(`Created vxlan device ${spec.name} (index ${link.index}, VNI ${spec.vni}, VtepMAC ${mac})`);
  }
  if (link.mtu !== spec.mtu) setLinkMtu(link.index, spec.mtu);
  if (!link.up) setLinkUp(link.index);
  return { index: link.index, name: spec.name, mac: link.mac!, mtu: spec.mtu };
}

function reusableLink(spec: VxlanDeviceSpec, log: Logger): LinkInfo | undefined {
  const existing = getLink(spec.name);
  if (!existing) return undefined;
  const problem = incompatibility(existing, spec);
  if (problem === undefined) return existing;
  log.warn(`"${spec.name}" already exists with incompatable configuration: ${problem}; recreating device`);
  deleteLink(existing.index);
  return undefined;
}
