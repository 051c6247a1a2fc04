import { VXLAN_KERNEL_DEFAULT_PORT } from '@flannel-ts/config';
import type { LinkInfo } from '@flannel-ts/netlink';

/** The vxlan device flannel wants: `flannel.<VNI>` over the external interface. */
export interface VxlanDeviceSpec {
  readonly name: string;
  readonly vni: number;
  /** The external interface's own address (not the public IP). */
  readonly local: string;
  /** The external interface. */
  readonly vtepIndex: number;
  /** 0: the kernel's default (8472). */
  readonly port: number;
  readonly learning: boolean;
  readonly gbp: boolean;
  readonly mtu: number;
}

/**
 * Why an existing link cannot serve as the device, or undefined when it can. Like Go flanneld,
 * a value the kernel does not report is not held against the link. The MTU is not checked: it
 * is set on a reused device.
 */
export function incompatibility(link: LinkInfo, want: VxlanDeviceSpec): string | undefined {
  const vx = link.vxlan;
  if (link.kind !== 'vxlan' || vx === undefined) return `type ${link.kind ?? 'unknown'} (wanted vxlan)`;
  const problems: string[] = [];
  const differs = (what: string, has: unknown, wanted: unknown) => {
    if (has !== wanted) problems.push(`${what} ${String(has)} (wanted ${String(wanted)})`);
  };
  differs('vni', vx.vni, want.vni);
  if (vx.vtepIndex !== undefined) differs('vtep device index', vx.vtepIndex, want.vtepIndex);
  if (vx.local !== undefined) differs('local address', vx.local, want.local);
  // The kernel reports the port it uses, so compare with the one port 0 stands for.
  differs('port', vx.port, want.port || VXLAN_KERNEL_DEFAULT_PORT);
  differs('learning', vx.learning, want.learning);
  differs('gbp', vx.gbp, want.gbp);
  return problems.length > 0 ? problems.join(', ') : undefined;
}
