// OTLP/HTTP span exporter (http/protobuf or http/json), built on Node's http client and the
// upstream OTLP serializers. Why not upstream's exporter: we need hard bounds that upstream does not
// give us inside someone else's process — a per-export deadline that also covers retries, retry only
// on the codes the OTLP spec calls retryable (honouring Retry-After within the deadline), the ability
// to abort the in-flight request at shutdown, and failures reported rate-limited with a span count.
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { ExportResult, ExportResultCode, suppressTracing } from '@opentelemetry/core';
import { isWrapped } from '@opentelemetry/instrumentation';
import type * as httpType from 'node:http';
import type { OtlpConfig } from '../config';
import type { RateLimitedReporter } from '../logger';

const RETRYABLE = new Set([429, 502, 503, 504]);
const MAX_ATTEMPTS = 5;
/** A Retry-After beyond this is treated as this: a buggy or hostile collector cannot mute us for a day. */
const MAX_THROTTLE_MILLIS = 60_000;

interface Serializer {
  serializeRequest(spans: ReadableSpan[]): Uint8Array | undefined;
}

export class OtlpHttpSpanExporter implements SpanExporter {
  private readonly url: URL;
  private readonly headers: Record<string, string>;
  private agent: httpType.Agent | undefined;
  private serializer: Serializer | undefined;
  private readonly inFlight = new Set<httpType.ClientRequest>();
  /** Pending backoff / Retry-After waits: shutdown ends them, so no timer outlives the exporter. */
  private readonly waits = new Set<() => void>();
  private isShutdown = false;
  /** Final flush under a shutdown deadline: one attempt per batch, no backoff, no waiting. */
  private draining = false;
  /**
   * Until when the collector asked us (429/503 + Retry-After) not to send. Kept across exports: the
   * next batch must not hit a throttled collector a millisecond after the previous batch gave up.
   */
  private throttledUntil = 0;

  constructor(
    private readonly config: OtlpConfig,
    private readonly errors: RateLimitedReporter,
    userAgent: string,
  ) {
    this.url = new URL(config.endpoint);
    this.headers = {
      ...config.headers,
      'Content-Type': config.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
      'User-Agent': userAgent,
    };
    if (config.compression === 'gzip') this.headers['Content-Encoding'] = 'gzip';
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.deliver(() => this.encode(spans), spans.length, resultCallback);
  }

  /**
   * Sends an ExportTraceServiceRequest that is already OTLP/protobuf (the encoded span queue builds
   * it span by span): same retries, deadline and accounting as export().
   */
  exportEncoded(body: Buffer, spanCount: number, resultCallback: (result: ExportResult) => void): void {
    this.deliver(() => this.compress(body), spanCount, resultCallback);
  }

  /** True when exportEncoded() applies: bodies are protobuf, not JSON. */
  get acceptsEncodedProtobuf(): boolean {
    return this.config.protocol !== 'http/json';
  }

  private deliver(body: () => Promise<Buffer>, spanCount: number, resultCallback: (result: ExportResult) => void): void {
    if (this.isShutdown) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('exporter is shut down') });
      return;
    }
    // Our own POSTs must never be traced (a feedback loop of export spans), nor be parented to
    // whatever span happened to be active when the batch timer was armed.
    context.with(suppressTracing(ROOT_CONTEXT), () => body().then((b) => this.send(b))).then(() => resultCallback({ code: ExportResultCode.SUCCESS }), (error: Error) => {
      this.errors.report(`${spanCount} spans not delivered to ${this.url.origin}${this.url.pathname}: ${error.message}`, spanCount);
      resultCallback({ code: ExportResultCode.FAILED, error });
    });
  }

  async forceFlush(): Promise<void> {}

  /**
   * Called when the process is about to exit: a retry that needs a backoff (connection refused, a
   * restarting collector) cannot succeed within the ~2 s shutdown deadline, so every remaining
   * batch gets exactly one attempt and the exit is not held for nothing.
   */
  drain(): void {
    this.draining = true;
    for (const wake of this.waits) wake();
    this.waits.clear();
  }

  /** Aborts requests still in flight: used when the shutdown deadline is reached. */
  async shutdown(): Promise<void> {
    this.isShutdown = true;
    for (const req of this.inFlight) req.destroy(new Error('exporter shut down'));
    this.inFlight.clear();
    for (const wake of this.waits) wake();
    this.waits.clear();
    this.agent?.destroy();
  }

  private async send(body: Buffer): Promise<void> {
    const deadline = Date.now() + this.config.timeoutMillis;
    let attempt = 0;
    let lastError = 'no attempt';
    while (attempt < MAX_ATTEMPTS && !this.isShutdown) {
      const throttle = this.throttledUntil - Date.now();
      if (throttle > 0) {
        if (this.draining || Date.now() + throttle >= deadline) {
          lastError = `${attempt > 0 ? lastError + '; ' : ''}collector asked to wait ${Math.ceil(throttle / 1000)} s more (Retry-After), past this export's deadline`;
          break;
        }
        await this.sleep(throttle);
        if (this.isShutdown) break;
      }
      const left = deadline - Date.now();
      if (left <= 0) break;
      attempt++;
      const res = await this.post(body, left).catch((e: Error) => ({ status: 0, retryAfterMillis: undefined, error: e.message }));
      if (res.status >= 200 && res.status < 300) return;
      lastError = res.status === 0 ? res.error ?? 'request failed' : `HTTP ${res.status}`;
      // Connection errors are retryable too (a collector restarting); 4xx other than 429 are not.
      const retryable = res.status === 0 || RETRYABLE.has(res.status);
      if (!retryable || this.isShutdown || this.draining) break;
      const backoff = Math.min(100 * 2 ** (attempt - 1), 2000) * (0.5 + Math.random() / 2);
      if (res.retryAfterMillis !== undefined) {
        // Honoured at the top of the loop — and by the next exports, which share the throttle.
        // Never shorter than our own backoff: "Retry-After: 0" must not turn into a tight loop.
        this.throttledUntil = Date.now() + Math.max(backoff, Math.min(res.retryAfterMillis, MAX_THROTTLE_MILLIS));
        continue;
      }
      if (Date.now() + backoff >= deadline) break;
      await this.sleep(backoff);
      if (this.draining) break;
    }
    throw new Error(`${lastError} (after ${attempt} attempt${attempt === 1 ? '' : 's'})`);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(t);
        this.waits.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.waits.add(wake);
    });
  }

  private async encode(spans: ReadableSpan[]): Promise<Buffer> {
    if (this.serializer === undefined) {
      // Loaded on first export, not at startup: keeps `node --require` cheap for short-lived processes.
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const t = require('@opentelemetry/otlp-transformer') as { ProtobufTraceSerializer: Serializer; JsonTraceSerializer: Serializer };
      this.serializer = this.config.protocol === 'http/json' ? t.JsonTraceSerializer : t.ProtobufTraceSerializer;
    }
    const raw = this.serializer.serializeRequest(spans);
    if (raw === undefined) throw new Error('serialization failed');
    return this.compress(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength));
  }

  private async compress(buf: Buffer): Promise<Buffer> {
    if (this.config.compression !== 'gzip') return buf;
    const zlib = await import('node:zlib');
    return new Promise((resolve, reject) => zlib.gzip(buf, (err, out) => (err ? reject(err) : resolve(out))));
  }

  private post(body: Buffer, timeoutMillis: number): Promise<{ status: number; retryAfterMillis?: number; error?: string }> {
    return new Promise((resolve, reject) => {
      const mod: typeof httpType = this.url.protocol === 'https:' ? require('node:https') : require('node:http');
      if (this.agent === undefined) this.agent = new mod.Agent({ keepAlive: true, maxSockets: 2 });
      let finished = false;
      const req = uninstrumented(mod.request)(
        this.url,
        { method: 'POST', headers: { ...this.headers, 'Content-Length': String(body.length) }, agent: this.agent },
        (res) => {
          // Drain (bounded) so the keep-alive socket can be reused; we do not need the body.
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > 1 << 20) res.destroy();
          });
          res.on('end', () => finish(undefined, res));
          // The status line decides the outcome; a body cut short (by us, past 1 MiB, or by the peer)
          // must not leave the export waiting for its timeout.
          res.on('close', () => finish(undefined, res));
          res.on('error', (e) => finish(e));
        },
      );
      const timer = setTimeout(() => req.destroy(new Error(`timed out after ${timeoutMillis} ms`)), timeoutMillis);
      const finish = (err: Error | undefined, res?: httpType.IncomingMessage) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        this.inFlight.delete(req);
        if (err) return reject(err);
        resolve({ status: res!.statusCode ?? 0, retryAfterMillis: parseRetryAfter(res!.headers['retry-after']) });
      };
      this.inFlight.add(req);
      req.on('error', (e) => finish(e));
      req.end(body);
    });
  }
}

type RequestFn = typeof httpType.request;

/**
 * `request` without an OpenTelemetry instrumentation's wrapper (`isWrapped`: the shimmer marks
 * `__wrapped`, `__original`, `__unwrap`), else as it is. Our export POSTs are never traced
 * (suppressTracing says so too), but through instrumentation-http's wrapper each one still computed client-span attributes, hooked its
 * request and response, and ran our outgoing X-Trace-ID hooks; and it made the instrumentation's
 * shared code, hot for the app's own server spans, see client requests too (V8 then optimizes it
 * for both shapes). One level only: a wrapper that is not an instrumentation's (a proxy agent,
 * nock) stays in the path.
 */
function uninstrumented(request: RequestFn): RequestFn {
  return isWrapped(request) ? (request.__original as RequestFn) : request;
}

function parseRetryAfter(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}


