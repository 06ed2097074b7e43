// Process lifecycle: flush on beforeExit, and on SIGTERM/SIGINT flush within a deadline and exit
// with the conventional code (128 + signal number: 143 / 130) — unless the app installed its own
// handler for that signal, in which case the app decides when to exit and we only flush.
// Upstream's register, with its collector unreachable, was still alive 20 s after SIGTERM; the
// deadline here covers everything (export retries included) so shutdown never hangs.
import type { Logger } from './logger';

const SIGNAL_CODES: Record<string, number> = { SIGTERM: 15, SIGINT: 2 };
/** The flush gets the shutdown deadline minus this… */
const FLUSH_MARGIN_MILLIS = 300;
/** …and the process exits this long before the deadline whatever the flush is doing. */
const EXIT_MARGIN_MILLIS = 200;

export interface LifecycleTarget {
  /** Flush what is queued; resolves at the deadline at the latest. */
  flush(timeoutMillis: number): Promise<void>;
  /** Flush and stop for good; resolves at the deadline at the latest. */
  shutdown(timeoutMillis: number): Promise<void>;
  /** Spans waiting to be exported (used to avoid pointless beforeExit flushes). */
  pending(): number;
}

export interface LifecycleOptions {
  shutdownTimeoutMillis: number;
  handleSignals: boolean;
  flushOnCrash: boolean;
}

export class Lifecycle {
  private readonly handlers: Array<[string, (...args: any[]) => void]> = [];
  private exiting = false;
  private flushingBeforeExit = false;

  constructor(private readonly target: LifecycleTarget, private readonly options: LifecycleOptions, private readonly log: Logger) {}

  install(): void {
    this.on('beforeExit', () => {
      // beforeExit fires again after our flush drains the loop: only flush when there is work,
      // and never twice at once.
      if (this.flushingBeforeExit || this.exiting || this.target.pending() === 0) return;
      this.flushingBeforeExit = true;
      const deadline = Date.now() + this.options.shutdownTimeoutMillis;
      this.target
        .flush(this.options.shutdownTimeoutMillis)
        .then(() => {
          // The flush gave up at its deadline: an export is still in flight (a blackholed collector).
          // Its socket and retry timers would keep this finished process alive until the OTLP timeout
          // (10 s by default): stop for good instead — abort, count and report what was lost.
          if (Date.now() >= deadline) return this.target.shutdown(1);
        })
        .catch(() => {})
        .finally(() => {
          this.flushingBeforeExit = false;
        });
    });
    if (this.options.handleSignals) {
      for (const sig of Object.keys(SIGNAL_CODES)) {
        this.on(sig, () => this.onSignal(sig as NodeJS.Signals));
      }
    }
    if (this.options.flushOnCrash) {
      this.on('uncaughtException', (err: unknown) => this.onCrash(err));
    }
  }

  uninstall(): void {
    for (const [event, fn] of this.handlers) process.removeListener(event, fn);
    this.handlers.length = 0;
  }

  private on(event: string, fn: (...args: any[]) => void): void {
    process.on(event as any, fn);
    this.handlers.push([event, fn]);
  }

  private onSignal(sig: NodeJS.Signals): void {
    // Does the app have its own handler? Then it owns the exit; we flush in the background.
    const appHandles = process.listenerCount(sig) > 1;
    if (appHandles) {
      this.deferExitUntil(this.target.flush(Math.max(0, this.options.shutdownTimeoutMillis - FLUSH_MARGIN_MILLIS)));
      return;
    }
    if (this.exiting) return;
    this.exiting = true;
    const code = 128 + SIGNAL_CODES[sig];
    const started = Date.now();
    // Hard stop before the deadline: process teardown, and on a busy machine getting scheduled at
    // all, take time the operator's clock counts too (2 s means gone at 2 s, seen from outside).
    const hard = setTimeout(() => exit(code), Math.max(0, this.options.shutdownTimeoutMillis - EXIT_MARGIN_MILLIS));
    this.target
      .shutdown(Math.max(0, this.options.shutdownTimeoutMillis - FLUSH_MARGIN_MILLIS))
      .catch(() => {})
      .finally(() => {
        clearTimeout(hard);
        this.log.debug(`${sig}: telemetry flushed in ${Date.now() - started} ms`);
        exit(code);
      });
  }

  /**
   * The app handles the signal itself and typically ends with process.exit() a few ms later —
   * before an export round-trip completes. While our (deadline-bounded) flush runs, an exit call is
   * held back until the flush settles, then performed with the app's code. Outside that window
   * process.exit is untouched.
   */
  private deferExitUntil(flushing: Promise<void>): void {
    const realExit = process.exit;
    let settled = false;
    let requested: { code: number | string | null | undefined } | undefined;
    const restore = () => {
      if (process.exit !== realExit) process.exit = realExit;
    };
    process.exit = function deferredExit(code?: number | string | null) {
      if (settled) return realExit.call(process, code as number);
      requested = { code };
      return undefined as never;
    } as typeof process.exit;
    flushing.finally(() => {
      settled = true;
      restore();
      if (requested) realExit.call(process, requested.code as number);
    });
  }

  /**
   * ORG_TRACE_FLUSH_ON_CRASH=true: the spans that explain a crash are the ones most worth having.
   * Having a listener stops Node from exiting by itself, so we reproduce its behaviour (print the
   * error, exit code 1) after a bounded flush. If the app has its own uncaughtException handler, it
   * owns the outcome and we only flush in the background.
   */
  private onCrash(err: unknown): void {
    if (process.listenerCount('uncaughtException') > 1) {
      void this.target.flush(this.options.shutdownTimeoutMillis);
      return;
    }
    if (this.exiting) return;
    this.exiting = true;
    try {
      process.stderr.write(`${err instanceof Error && err.stack ? err.stack : String(err)}\n`);
    } catch {
      /* stderr closed */
    }
    const hard = setTimeout(() => exit(1), Math.max(0, this.options.shutdownTimeoutMillis - EXIT_MARGIN_MILLIS));
    this.target
      .shutdown(Math.max(0, this.options.shutdownTimeoutMillis - FLUSH_MARGIN_MILLIS))
      .catch(() => {})
      .finally(() => {
        clearTimeout(hard);
        exit(1);
      });
  }
}

function exit(code: number): void {
  process.exitCode = code;
  process.exit(code);
}
