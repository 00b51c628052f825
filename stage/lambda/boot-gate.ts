/**
 * At most `limit` execution environments in INIT at once. On Lambda each sandbox boots on its own CPU; here
 * they share the host's cores, and 25 boots at once on 2 cores would each take 12× longer than alone. Boots
 * past the limit wait for a slot before their process is spawned, so the wait is not part of their INIT
 * (Init Duration runs from the spawn), while the caller still sees it as latency, as the host's cost.
 */
export class BootGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  /** Boots that had to wait for a slot, and their total wait (ms): the host's capacity at work. */
  waitedBoots = 0;
  waitedMs = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`invalid maxParallelBoots ${limit}: expected an integer of at least 1`);
    }
  }

  /** Resolves with a release function once a slot is free; call it when INIT is over. */
  async acquire(): Promise<() => void> {
    if (this.active < this.limit) {
      this.active++;
    } else {
      const queuedMs = performance.now();
      // A released slot is handed over directly (active stays counted), so no newcomer overtakes the queue.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      this.waitedBoots++;
      this.waitedMs += performance.now() - queuedMs;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }
}
