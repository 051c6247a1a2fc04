// One stderr line per step of a long benchmark: what is being measured, and how far along it is.
export class Progress {
  private done = 0;

  constructor(
    private readonly bench: string,
    private readonly total: number,
    private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {}

  /** Announces the next step (1-based): `[hostgw] 3 of 12: throughput pod→pod, 4 streams`. */
  step(what: string): void {
    this.done++;
    this.write(`[${this.bench}] ${this.done} of ${this.total}: ${what}`);
  }
}
