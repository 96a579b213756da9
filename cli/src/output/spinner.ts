/**
 * A spinner on stderr for long work, shown only to people at a terminal: scripts and --json runs
 * see nothing, so their stdout stays parseable.
 */
export class Spinner {
  private timer?: NodeJS.Timeout;
  private frame = 0;
  private readonly started = Date.now();

  constructor(
    private readonly label: string,
    private readonly enabled = process.stderr.isTTY === true,
  ) {}

  start(): this {
    if (!this.enabled) return this;
    const frames = ['|', '/', '-', '\\'];
    this.timer = setInterval(() => {
      const s = ((Date.now() - this.started) / 1000).toFixed(1);
      process.stderr.write(`\r${frames[this.frame++ % frames.length]} ${this.label} ${s}s`);
    }, 100);
    return this;
  }

  stop(result = 'done'): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    process.stderr.write(`\r${this.label}: ${result} (${((Date.now() - this.started) / 1000).toFixed(1)}s)\n`);
  }

  /** Runs `work` with the spinner turning, and stops it whatever the outcome. */
  async around<T>(work: () => Promise<T>): Promise<T> {
    this.start();
    try {
      const out = await work();
      this.stop();
      return out;
    } catch (err) {
      this.stop('failed');
      throw err;
    }
  }
}
