import type { DestinationStream, Logger } from 'pino';

const BURSTS = Symbol('flannel-ts log bursts');
/** A burst is written in pieces of about this many characters, so it never holds a large string. */
const PIECE_CHARS = 64 * 1024;

/**
 * A destination that can hold the lines of a synchronous burst and write them a 64 KiB piece per
 * write(2): a sync write per line costs flanneld ~60 ms of CPU for the 5,000 lines of a
 * 5,000-peer join, where making the lines costs ~30.
 */
export class BurstableDestination implements DestinationStream {
  private held: string[] | undefined;
  private heldChars = 0;

  constructor(private readonly target: DestinationStream) {}

  write(line: string): void {
    if (!this.held) {
      this.target.write(line);
      return;
    }
    this.held.push(line);
    this.heldChars += line.length;
    if (this.heldChars >= PIECE_CHARS) this.writeHeld();
  }

  inBurst(burst: () => void): void {
    if (this.held) return burst();
    this.held = [];
    try {
      burst();
    } finally {
      // Not holding any more before the write, so a failing write leaves later lines unheld.
      const rest = this.held;
      this.held = undefined;
      this.heldChars = 0;
      if (rest.length > 0) this.target.write(rest.join(''));
    }
  }

  private writeHeld(): void {
    const held = this.held!;
    this.held = [];
    this.heldChars = 0;
    this.target.write(held.join(''));
  }
}

/** Makes `log` and its children (pino children inherit from their parent) find `destination`. */
export function attachBursts(log: Logger, destination: BurstableDestination): void {
  Object.defineProperty(log, BURSTS, { value: destination });
}

/**
 * Logs what `burst` logs, synchronously, with a write to the destination per 64 KiB instead of one
 * per line: for bursts of thousands of lines (a join's "Subnet added" lines). A logger not made
 * by createLogger writes each line as usual.
 */
export function logInBurst(log: Logger, burst: () => void): void {
  const destination = (log as unknown as { [BURSTS]?: BurstableDestination })[BURSTS];
  if (destination) destination.inBurst(burst);
  else burst();
}
