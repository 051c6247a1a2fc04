import { Socket } from 'node:net';

export interface LoopbackGuard {
  /** Every refused connection: `host:port`. */
  refused(): readonly string[];
  /** Puts Socket#connect back as it was. */
  release(): void;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

/**
 * Lets this process open TCP connections to loopback only (and unix sockets): anything else, a real
 * cloud endpoint or a metadata address that an unset override would reach, fails at once with
 * EACCES and is recorded, so a test can assert nothing tried to leave the machine.
 */
export function guardLoopbackOnly(): LoopbackGuard {
  const refused: string[] = [];
  const original = Socket.prototype.connect;
  // Socket#connect is overloaded: (options[, cb]), (port[, host][, cb]), (path[, cb]); net.connect
  // passes its normalized [options, cb] as one array.
  const patched = function (this: Socket, ...args: unknown[]): Socket {
    const [first, second] = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
    const target =
      typeof first === 'object' && first !== null
        ? (first as { host?: string; port?: number; path?: string })
        : typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))
          ? { port: Number(first), host: typeof second === 'string' ? second : 'localhost' }
          : { path: String(first) };
    if (target.path === undefined && !LOOPBACK.test(target.host ?? 'localhost')) {
      const where = `${target.host}:${target.port}`;
      refused.push(where);
      const error = Object.assign(new Error(`connect EACCES ${where} (the test allows loopback only)`), { code: 'EACCES', syscall: 'connect' });
      process.nextTick(() => this.destroy(error));
      return this;
    }
    return (original as (...a: unknown[]) => Socket).apply(this, args);
  };
  Socket.prototype.connect = patched as typeof Socket.prototype.connect;
  return {
    refused: () => refused,
    release: () => {
      if (Socket.prototype.connect === patched) Socket.prototype.connect = original;
    },
  };
}
