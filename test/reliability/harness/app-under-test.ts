// Starting an instrumented app for a reliability run and reading back what the distribution said
// about itself on stderr (the only channel an operator has).
import { spawnApp, SpawnedApp } from '../../fixtures/spawn-app';

export interface ShutdownSummary {
  exported: number;
  failed: number;
  dropped: number;
  inFlight: number;
}

/** Parses the `shutdown: N spans exported, …` line the SDK prints when anything was lost. */
export function shutdownSummary(stderr: string): ShutdownSummary | undefined {
  const m = stderr.match(/shutdown: (\d+) spans exported, (\d+) failed to export, (\d+) dropped .*?, (\d+) still in flight/);
  return m ? { exported: +m[1], failed: +m[2], dropped: +m[3], inFlight: +m[4] } : undefined;
}

/** Distribution log lines (`@org/trace LEVEL …`) matching `re`. */
export function logLines(stderr: string, re: RegExp): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('@org/trace ') && re.test(l));
}

export async function timedExit(app: SpawnedApp, sig: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const t0 = Date.now();
  app.kill(sig);
  const e = await app.exited;
  return { ...e, ms: Date.now() - t0 };
}

/** Every app a test file starts, so afterEach can end the ones a failed test left behind (by pid). */
export class Apps {
  private readonly live: SpawnedApp[] = [];
  start(script: string, env: Record<string, string | undefined>, extra: { cwd?: string } = {}): SpawnedApp {
    const app = spawnApp(script, { env: { DATABASE_URL: process.env.DATABASE_URL, ...env }, cwd: extra.cwd });
    this.live.push(app);
    return app;
  }
  async stopAll(): Promise<void> {
    await Promise.all(this.live.splice(0).map((a) => a.stop()));
  }
}
