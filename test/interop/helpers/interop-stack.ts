// The whole path users run, with real peers: apps (Node under `--require @org/trace-register`, a
// Flask service) → the bundled collector (otel-collector.yaml, built by tools/collector/build.sh) →
// Jaeger v2 → its query API. Every process listens on a free loopback port and is stopped by the
// pid we started.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { RunningCollector, startCollector } from '../../collector/collector-process';
import { hermeticEnv, spawnApp, SpawnedApp } from '../../fixtures/spawn-app';
import { RunningJaeger, startJaeger } from './jaeger-process';
import { pythonVenv } from './required-tools';

const PYTHON_DIR = join(__dirname, '..', 'python');

export type PythonVariant = 'legacy' | 'otel';

export interface Peer {
  app: SpawnedApp;
  url: string;
  service: string;
}

export class InteropStack {
  private readonly started: SpawnedApp[] = [];

  private constructor(
    readonly jaeger: RunningJaeger,
    readonly collector: RunningCollector,
  ) {}

  static async start(): Promise<InteropStack> {
    const jaeger = await startJaeger();
    try {
      const collector = await startCollector({
        ORG_TRACE_BACKEND_ENDPOINT: jaeger.otlpHttpUrl,
        // Keep every trace: this suite checks propagation and the backend, not the sampling policy
        // (test/collector covers that). A short decision wait keeps the suite fast.
        ORG_TRACE_SAMPLING_BASELINE_PERCENT: '100',
        ORG_TRACE_SAMPLING_DECISION_WAIT: '1s',
        ORG_TRACE_BATCH_TIMEOUT: '100ms',
      });
      return new InteropStack(jaeger, collector);
    } catch (e) {
      await jaeger.stop();
      throw e;
    }
  }

  /** test/fixtures/apps/http-pg-app.js under `node --require @org/trace-register`, exporting to the collector. */
  async node(service: string, env: Record<string, string> = {}): Promise<Peer> {
    const app = spawnApp('http-pg-app.js', {
      loader: 'require',
      env: {
        OTEL_SERVICE_NAME: service,
        OTEL_EXPORTER_OTLP_ENDPOINT: this.collector.otlpHttpUrl,
        DATABASE_URL: process.env.DATABASE_URL,
        ...env,
      },
    });
    this.started.push(app);
    return { app, url: `http://127.0.0.1:${await app.port()}`, service };
  }

  /**
   * The Flask peer: `legacy` = hand-rolled X-Trace-ID middleware, no OTel; `otel` = the same routes
   * under `opentelemetry-instrument`, exporting OTLP/HTTP to the same collector.
   */
  async python(variant: PythonVariant, service: string): Promise<Peer> {
    const venv = pythonVenv();
    const env = hermeticEnv({ PORT: '0', PYTHONUNBUFFERED: '1' });
    let proc;
    if (variant === 'legacy') {
      proc = spawn(venv.python, [join(PYTHON_DIR, 'legacy_xtraceid_app.py')], { env: { ...env, PEER_SERVICE_NAME: service }, stdio: ['ignore', 'pipe', 'pipe'] });
    } else {
      proc = spawn(venv.otelInstrument, [venv.python, join(PYTHON_DIR, 'otel_flask_app.py')], {
        env: {
          ...env,
          OTEL_SERVICE_NAME: service,
          OTEL_TRACES_EXPORTER: 'otlp',
          OTEL_METRICS_EXPORTER: 'none',
          OTEL_LOGS_EXPORTER: 'none',
          // The distro defaults to gRPC; the http/protobuf exporter is the one pinned in the venv.
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
          OTEL_EXPORTER_OTLP_ENDPOINT: this.collector.otlpHttpUrl,
          OTEL_BSP_SCHEDULE_DELAY: '100',
          // Python's defaults, spelled out: W3C only, no X-Trace-ID.
          OTEL_PROPAGATORS: 'tracecontext,baggage',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    }
    const app = new SpawnedApp(proc);
    this.started.push(app);
    return { app, url: `http://127.0.0.1:${await app.port()}`, service };
  }

  async stop(): Promise<void> {
    await Promise.all(this.started.splice(0).map((a) => a.stop()));
    await this.collector.stop();
    await this.jaeger.stop();
  }
}

/** `url` with `?url=<next>` appended: builds the /call chains hop by hop. */
export function via(url: string, next: string): string {
  return `${url}/call?url=${encodeURIComponent(next)}`;
}
