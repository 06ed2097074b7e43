'use strict';
// The one status line while load runs: time, phase, requests, errors, in flight, and the recent
// p95 per endpoint — enough to watch the dashboard slow down when the peak starts. On a terminal it
// is rewritten in place; otherwise (CI, a pipe) a plain line is printed every few seconds.

function percentile(sorted, q) {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const fmt = (ms) => (ms === undefined ? '   -  ' : ms >= 1000 ? `${(ms / 1000).toFixed(1)}s`.padStart(6) : `${Math.round(ms)}ms`.padStart(6));

class Progress {
  constructor(gen, { stream = process.stdout, intervalMs } = {}) {
    this.gen = gen;
    this.stream = stream;
    this.tty = Boolean(stream.isTTY);
    this.intervalMs = intervalMs ?? (this.tty ? 250 : 5000);
  }

  start() {
    this.timer = setInterval(() => this.render(), this.intervalMs);
    this.timer.unref();
  }

  line() {
    const g = this.gen;
    const now = Date.now();
    const elapsed = Math.min(g.durationMs, now - (g.startedAt ?? now)) / 1000;
    const done = g.results;
    const errors = done.filter((r) => r.status !== 200 && r.status !== 201).length;
    const recent = (endpoint) =>
      done
        .filter((r) => r.endpoint === endpoint && now - Date.parse(r.start) - r.ms < 10_000)
        .map((r) => r.ms)
        .sort((a, b) => a - b);
    const co = recent('checkout');
    const da = recent('dashboard');
    return (
      `${elapsed.toFixed(0).padStart(3)}s/${(g.durationMs / 1000).toFixed(0)}s  ${String(g.phase ?? '').padEnd(10)} ` +
      `sent ${String(g.sent).padStart(4)}  done ${String(done.length).padStart(4)}  errors ${String(errors).padStart(3)}  ` +
      `in flight ${String(g.inFlight).padStart(3)}${g.shed ? `  shed ${g.shed}` : ''}  │ p95 last 10s: ` +
      `checkout ${fmt(percentile(co, 0.95))}  dashboard ${fmt(percentile(da, 0.95))}`
    );
  }

  render() {
    const l = this.line();
    if (this.tty) this.stream.write(`\r\x1b[2K${l}`);
    else this.stream.write(`  ${l}\n`);
  }

  stop() {
    clearInterval(this.timer);
    this.render();
    if (this.tty) this.stream.write('\n');
  }
}

module.exports = { Progress, percentile };
