/** A progress bar on stderr: redrawn in place on a terminal, a line every 10% otherwise. */
export class Progress {
  private done = 0;
  private lastPct = -1;
  private readonly start = Date.now();
  private readonly tty: boolean;

  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  /** Advances by one and redraws, with an optional status text (e.g. running accuracy). */
  tick(status = ''): void {
    this.done++;
    const pct = this.total ? Math.floor((100 * this.done) / this.total) : 100;
    const elapsed = (Date.now() - this.start) / 1000;
    const eta = this.done ? (elapsed / this.done) * (this.total - this.done) : 0;
    const line = `${this.label} ${this.bar(pct)} ${this.done}/${this.total} ${pct}% ${elapsed.toFixed(1)}s eta ${eta.toFixed(0)}s ${status}`;
    if (this.tty) {
      this.stream.write('\r' + line.padEnd(this.stream.columns ? this.stream.columns - 1 : 100).slice(0, (this.stream.columns ?? 101) - 1));
      if (this.done === this.total) this.stream.write('\n');
    } else if (Math.floor(pct / 10) !== Math.floor(this.lastPct / 10) || this.done === this.total) {
      this.stream.write(line + '\n');
    }
    this.lastPct = pct;
  }

  private bar(pct: number): string {
    const width = 24;
    const full = Math.round((pct / 100) * width);
    return '[' + '#'.repeat(full) + '-'.repeat(width - full) + ']';
  }
}
