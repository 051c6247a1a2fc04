import type { Logger } from '@flannel-ts/log';
import { containsIP4, formatIP4, parseIP4, type IP4Net } from '@flannel-ts/ip';
import { addAddr, deleteAddr, listAddrs } from '@flannel-ts/netlink';

/**
 * Go flanneld v0.20's addressing: exactly one address inside the flannel network on the device,
 * `<lease subnet IP>/32`. Other addresses inside the network (an old lease's, or v0.5's
 * `<subnet IP>/<network len>`) are removed; addresses outside it are left alone.
 */
export function ensureDeviceAddress(index: number, lease: IP4Net, network: IP4Net, log: Logger): void {
  const wanted = formatIP4(lease.ip);
  let present = false;
  for (const addr of listAddrs(index)) {
    if (!containsIP4(network, parseIP4(addr.address))) continue;
    if (addr.address === wanted && addr.prefixLen === 32) {
      present = true;
      continue;
    }
    log.info(`Removing address ${addr.address}/${addr.prefixLen} from the vxlan device: it is not this lease's ${wanted}/32`);
    deleteAddr(index, `${addr.address}/${addr.prefixLen}`);
  }
  if (!present) addAddr(index, `${wanted}/32`);
}
