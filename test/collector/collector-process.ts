// Runs the real collector with the bundled otel-collector.yaml on free loopback ports, configured
// only through the ORG_TRACE_* variables the config documents — the same knobs users have.
import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { collectorBinary, COLLECTOR_CONFIG } from './collector-binary';

/** A port the OS just handed out on 127.0.0.1 (closed again, so the collector can bind it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface CollectorPorts {
  otlpHttp: number;
  otlpGrpc: number;
  health: number;
  prometheus: number;
  telemetry: number;
}

export class RunningCollector {
  log = '';
  readonly exited: Promise<number | null>;

  constructor(
    readonly proc: ChildProcess,
    readonly ports: CollectorPorts,
  ) {
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => (this.log += d));
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (this.log += d));
    this.exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  }

  get otlpHttpUrl(): string {
    return `http://127.0.0.1:${this.ports.otlpHttp}`;
  }

  /** The span-metrics endpoint (Prometheus text format). */
  async scrapeSpanMetrics(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.ports.prometheus}/metrics`)).text();
  }

  /** The collector's own metrics. */
  async scrapeTelemetry(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.ports.telemetry}/metrics`)).text();
  }

  /** Graceful stop (SIGTERM to the pid we started), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 10000);
    await this.exited;
    clearTimeout(t);
  }
}

/**
 * Starts the collector and resolves once its health check answers 200 (every pipeline started).
 * `env` adds/overrides ORG_TRACE_* tunables, e.g. a short decision_wait for tests.
 */
export async function startCollector(env: Record<string, string>, configPath = COLLECTOR_CONFIG): Promise<RunningCollector> {
  // A port freePort() handed out can be taken by another test file's server before the collector
  // binds it (jest runs files in parallel). That is a race in the fixture, not a collector failure:
  // try again on fresh ports, a few times.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCollectorOnce(env, configPath);
    } catch (err) {
      if (attempt >= 4 || !(err instanceof PortTakenError)) throw err;
    }
  }
}

class PortTakenError extends Error {}

async function startCollectorOnce(env: Record<string, string>, configPath: string): Promise<RunningCollector> {
  const ports: CollectorPorts = {
    otlpHttp: await freePort(),
    otlpGrpc: await freePort(),
    health: await freePort(),
    prometheus: await freePort(),
    telemetry: await freePort(),
  };
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ORG_TRACE_') && !k.startsWith('OTEL_')) childEnv[k] = v;
  Object.assign(childEnv, {
    // Every listener on loopback: tests never open ports on other interfaces.
    ORG_TRACE_OTLP_HTTP_ENDPOINT: `127.0.0.1:${ports.otlpHttp}`,
    ORG_TRACE_OTLP_GRPC_ENDPOINT: `127.0.0.1:${ports.otlpGrpc}`,
    ORG_TRACE_HEALTH_CHECK_ENDPOINT: `127.0.0.1:${ports.health}`,
    ORG_TRACE_PROMETHEUS_ENDPOINT: `127.0.0.1:${ports.prometheus}`,
    ORG_TRACE_COLLECTOR_TELEMETRY_HOST: '127.0.0.1',
    ORG_TRACE_COLLECTOR_TELEMETRY_PORT: String(ports.telemetry),
    ...env,
  });
  const proc = spawn(collectorBinary(), ['--config', configPath], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const col = new RunningCollector(proc, ports);

  const deadline = Date.now() + 30000;
  for (;;) {
    if (proc.exitCode !== null) {
      const msg = `collector exited with ${proc.exitCode}:\n${col.log}`;
      throw /bind: address already in use/.test(col.log) ? new PortTakenError(msg) : new Error(msg);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${ports.health}/`);
      // The collector's health check, not another server a parallel test file started on the
      // port while the collector was failing to bind it.
      if (res.status === 200 && /"status":"Server available"/.test(await res.text())) return col;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await col.stop();
      throw new Error(`collector not healthy after 30 s:\n${col.log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Parses Prometheus text exposition into samples (name, labels, value). Enough for assertions. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parsePrometheusText(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/);
    if (!m) continue;
    const labels: Record<string, string> = {};
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
    let lm: RegExpExecArray | null;
    while ((lm = re.exec(m[2] ?? '')) !== null) labels[lm[1]] = lm[2].replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}
