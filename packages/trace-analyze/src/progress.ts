/**
 * A one-line progress indicator on stderr for long reads, redrawn at most 5×/s. Silent when disabled
 * (not a terminal, --no-progress), so pipes and CI logs stay clean.
 */
export class Progress {
  private total = 0;
  private last = 0;
  private shown = false;

  constructor(private readonly enabled: boolean) {}

  bytes(n: number, spans: number): void {
    this.total += n;
    this.draw(() => `reading: ${(this.total / 1048576).toFixed(1)} MB, ${spans.toLocaleString('en-US')} spans`);
  }

  note(text: string): void {
    this.draw(() => text, true);
  }

  done(): void {
    if (this.enabled && this.shown) process.stderr.write('\r\x1b[K');
    this.shown = false;
  }

  private draw(text: () => string, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.last < 200) return;
    this.last = now;
    this.shown = true;
    process.stderr.write(`\r\x1b[K${text()}`);
  }
}
