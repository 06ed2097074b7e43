// Samples a child process's resident set size from /proc (Linux), the number an orchestrator's
// OOM killer looks at, without touching the process itself.
import { readFileSync } from 'node:fs';

export interface RssSample {
  atMillis: number;
  rssMiB: number;
}

export function readRssMiB(pid: number): number | undefined {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)\s+kB/m);
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined; // exited
  }
}

export class RssSampler {
  readonly samples: RssSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly t0 = Date.now();

  constructor(private readonly pid: number, private readonly everyMillis = 200) {}

  start(): this {
    this.timer = setInterval(() => {
      const rss = readRssMiB(this.pid);
      if (rss !== undefined) this.samples.push({ atMillis: Date.now() - this.t0, rssMiB: rss });
    }, this.everyMillis);
    return this;
  }

  stop(): RssSample[] {
    if (this.timer) clearInterval(this.timer);
    return this.samples;
  }

  max(): number {
    return Math.max(...this.samples.map((s) => s.rssMiB));
  }

  /** Median RSS of the samples in [fromFraction, toFraction) of the run. */
  medianBetween(fromFraction: number, toFraction: number): number {
    const n = this.samples.length;
    const part = this.samples.slice(Math.floor(n * fromFraction), Math.max(Math.floor(n * fromFraction) + 1, Math.floor(n * toFraction)));
    const s = part.map((x) => x.rssMiB).sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  }
}
