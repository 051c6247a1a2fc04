/**
 * Whether the daemon is doing its job: ready once its lease is applied everywhere (backend,
 * subnet.env, ip-masq), and not while a new one is being applied or retried.
 */
export class Readiness {
  private problem: string | undefined = 'starting';

  get ready(): boolean {
    return this.problem === undefined;
  }

  /** Why it is not ready; undefined when it is. */
  get reason(): string | undefined {
    return this.problem;
  }

  notReady(reason: string): void {
    this.problem = reason;
  }

  setReady(): void {
    this.problem = undefined;
  }
}
