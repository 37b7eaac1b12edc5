// One small restartable timer for every retry and delay (reconnect, resend, status delay), so each
// has a name in the code and can be driven by fake timers in tests.

export class Timer {
  private handle: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly callback: () => void) {}

  get pending(): boolean {
    return this.handle !== undefined;
  }

  /** (Re)starts the countdown; an earlier schedule is forgotten. */
  schedule(ms: number): void {
    this.cancel();
    this.handle = setTimeout(() => {
      this.handle = undefined;
      this.callback();
    }, ms);
  }

  cancel(): void {
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
  }
}
