// A FIFO mutex for workflow code: the holder hands the lock straight to the longest waiter, so
// exactly one caller is inside at a time and waiters enter in arrival order. Deterministic: only
// promises, no timers. (`await condition(() => !busy); busy = true` is not a lock: the SDK resolves
// every satisfied condition in one pass, so every waiter sees `!busy` and all of them enter.)

export class Mutex {
  private locked = false;
  private readonly waiters: (() => void)[] = [];

  /** Runs `fn` alone: after every earlier caller has finished, before every later one starts. */
  async runExclusive<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(): void {
    const next = this.waiters.shift();
    // The lock stays taken while it passes to the next waiter: nobody can slip in between.
    if (next) next();
    else this.locked = false;
  }
}
