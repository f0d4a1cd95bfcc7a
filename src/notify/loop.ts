/**
 * A background task repeated until stopped: the watcher's polls, the poster's claims, the
 * leader's renewals. Each round says how long to wait before the next, so a loop with work
 * left goes on at once and an idle one sleeps; `nudge` cuts a sleep short (new work arrived).
 */
export class Loop {
  private stopped = false;
  private nudged = false;
  private wake: (() => void) | null = null;
  private running: Promise<void> | null = null;

  /**
   * `round` returns the delay before the next round in ms. A round that throws is retried
   * after `onError`'s delay: a loop that stopped at the first Redis hiccup would never recover.
   */
  constructor(
    private readonly round: () => Promise<number>,
    private readonly onError: (err: unknown) => number,
  ) {}

  start(): void {
    this.running ??= this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let delay: number;
      try {
        delay = await this.round();
      } catch (err) {
        delay = this.onError(err);
      }
      await this.sleep(delay);
    }
  }

  private async sleep(ms: number): Promise<void> {
    if (this.stopped || ms <= 0) return;
    // A nudge that came during the round is not lost by the sleep that follows it.
    if (this.nudged) {
      this.nudged = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = null;
    this.nudged = false;
  }

  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /** Waits for the round in progress, so nothing it started is cut off halfway. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }
}
