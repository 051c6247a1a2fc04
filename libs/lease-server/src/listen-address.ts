/** Where `--listen` says to serve: a TCP address, or a socket handed over by systemd. */
export type ListenAddress =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'fd'; readonly fd: number };

/** Thrown for a `--listen` value or a passed socket that cannot be served on. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
}

/**
 * Reads `--listen` as flannel does: `[tcp://]host:port` (host may be empty: every address),
 * `fd://` (the first socket systemd passed, fd 3) or `fd://N`.
 */
export function parseListenAddress(text: string): ListenAddress {
  const m = /^(?:([a-z]+):\/\/)?(.*)$/s.exec(text)!;
  const [, scheme, rest = ''] = m;
  if (scheme === 'fd') {
    if (rest === '') return { kind: 'fd', fd: 3 };
    if (!/^[0-9]+$/.test(rest)) throw new ListenError('fd index is not a number');
    return { kind: 'fd', fd: Number(rest) };
  }
  if (scheme !== undefined && scheme !== 'tcp') throw new ListenError('bad listener scheme');
  const colon = rest.lastIndexOf(':');
  if (colon < 0) throw new ListenError(`address ${rest}: missing port in address`);
  let host = rest.slice(0, colon);
  const portText = rest.slice(colon + 1);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = Number(portText);
  if (!/^[0-9]{1,5}$/.test(portText) || port > 65535) throw new ListenError(`address ${rest}: invalid port "${portText}"`);
  return { kind: 'tcp', host, port };
}

/**
 * Checks that `fd` is one systemd passed to this process (LISTEN_PID is ours and fd < 3 + LISTEN_FDS),
 * with flannel's messages. Whether it is a listening socket shows when it is listened on.
 */
export function checkActivatedFd(fd: number, env: NodeJS.ProcessEnv, pid: number): void {
  const count = env.LISTEN_PID === String(pid) && /^[0-9]+$/.test(env.LISTEN_FDS ?? '') ? Number(env.LISTEN_FDS) : 0;
  if (fd < 3 || fd >= 3 + count) throw new ListenError(`fd ${fd} is out of range (${count + 3})`);
}
