// The distribution's own logger. It writes single lines to stderr with a fixed prefix so operators
// can grep them, honours OTEL_LOG_LEVEL, and is also installed as the OpenTelemetry diag logger so
// upstream components obey the same level. It never throws (a closed stderr must not crash the app).
import { DiagLogger, DiagLogLevel } from '@opentelemetry/api';
import type { LogLevel } from './config';

const LEVELS: Record<LogLevel, number> = { none: 0, error: 1, warn: 2, info: 3, debug: 4, verbose: 5, all: 6 };

export const DIAG_LEVEL: Record<LogLevel, DiagLogLevel> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

export type Sink = (line: string) => void;

const stderrSink: Sink = (line) => {
  try {
    process.stderr.write(line + '\n');
  } catch {
    /* stderr closed: nothing sensible left to do */
  }
};

export class Logger implements DiagLogger {
  private readonly max: number;
  constructor(level: LogLevel, private readonly sink: Sink = stderrSink) {
    this.max = LEVELS[level];
  }
  enabled(level: Exclude<LogLevel, 'none' | 'all'>): boolean {
    return LEVELS[level] <= this.max;
  }
  private write(level: number, tag: string, message: string, args: unknown[]): void {
    if (level > this.max) return;
    let line = `@org/trace ${tag} ${message}`;
    for (const a of args) line += ' ' + formatArg(a);
    this.sink(line);
  }
  error = (message: string, ...args: unknown[]) => this.write(1, 'ERROR', message, args);
  warn = (message: string, ...args: unknown[]) => this.write(2, 'WARN', message, args);
  info = (message: string, ...args: unknown[]) => this.write(3, 'INFO', message, args);
  debug = (message: string, ...args: unknown[]) => this.write(4, 'DEBUG', message, args);
  verbose = (message: string, ...args: unknown[]) => this.write(5, 'VERBOSE', message, args);
}

function formatArg(a: unknown): string {
  if (a instanceof Error) return a.message;
  if (typeof a === 'string') return a;
  try {
    const s = JSON.stringify(a);
    return s === undefined ? String(a) : s.length > 500 ? s.slice(0, 500) + '…' : s;
  } catch {
    return String(a);
  }
}

/**
 * Aggregates repeated failures into at most one line per interval:
 * "<what>: N times since the last report, S spans (last: …)". The first failure is logged at once
 * so a misconfiguration is visible at startup; the rest are counted. A collector outage therefore
 * costs one log line per minute, not one per batch — and the line says how many spans it stands
 * for, which is what an operator needs to know (a count of batches is not).
 */
export class RateLimitedReporter {
  private count = 0;
  private spans = 0;
  private lastError = '';
  private lastLogAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: (line: string) => void,
    private readonly what: string,
    private readonly intervalMillis: number,
  ) {}

  /** `spans`: how many spans this failure is about (summed into the aggregated line). */
  report(detail: string, spans = 0): void {
    this.count++;
    this.spans += spans;
    this.lastError = detail;
    const now = Date.now();
    if (now - this.lastLogAt >= this.intervalMillis) {
      this.flush();
      return;
    }
    if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.intervalMillis - (now - this.lastLogAt));
      this.timer.unref();
    }
  }

  /** Writes the pending summary, if any (also called at shutdown so counts are not lost). */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.count === 0) return;
    const n = this.count;
    const spans = this.spans;
    this.count = 0;
    this.spans = 0;
    this.lastLogAt = Date.now();
    this.log(n === 1 ? `${this.what}: ${this.lastError}` : `${this.what}: ${n} times since the last report${spans > 0 ? `, ${spans} spans` : ''} (last: ${this.lastError})`);
  }
}
