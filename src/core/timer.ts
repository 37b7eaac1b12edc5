// One small restartable timer for every retry and delay (reconnect, resend, status delay), so each
// has a name in the code and can be driven by fake timers in tests.

export class Timer {
  private _handle: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly _callback: () => void) {}

  get pending(): boolean {
    return this._handle !== undefined;
  }

  /** (Re)starts the countdown; an earlier schedule is forgotten. */
  schedule(ms: number): void {
    this.cancel();
    this._handle = setTimeout(() => {
      this._handle = undefined;
      this._callback();
    }, ms);
  }

  cancel(): void {
    if (this._handle !== undefined) clearTimeout(this._handle);
    this._handle = undefined;
  }
}
