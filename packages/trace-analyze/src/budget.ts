import * as fs from 'node:fs';
import { formatMs, formatPct } from './format';
import type { AnalysisReport, EndpointReport } from './report-schema';

/**
 * Latency and share budgets, e.g.
 * {"endpoints": {"edge POST /checkout": {"p95_ms": 800, "components": {"credit-scoring": {"max_share": 0.5}}},
 *                "*": {"p99_ms": 5000, "error_rate": 0.01}}}
 * Endpoint keys are exact names or globs with `*`; every matching entry applies. Component keys
 * match a component label by substring, or a kind as `kind:pool_wait`.
 */
export interface Budget {
  endpoints: Record<string, EndpointBudget>;
}

const LIMIT_KEYS = ['p50_ms', 'p90_ms', 'p95_ms', 'p99_ms', 'max_ms', 'mean_ms', 'error_rate'] as const;
type LimitKey = (typeof LIMIT_KEYS)[number];

export type EndpointBudget = Partial<Record<LimitKey, number>> & {
  components?: Record<string, { max_share?: number; max_mean_ms?: number }>;
};

export interface BudgetViolation {
  endpoint: string;
  check: string;
  actual: number;
  limit: number;
  message: string;
}

/** Reads and validates a budget file; throws an Error with a message fit for the terminal. */
export function loadBudget(file: string): Budget {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`budget ${file}: ${(e as Error).message}`);
  }
  return validateBudget(raw, file);
}

export function validateBudget(raw: unknown, file = 'budget'): Budget {
  const fail = (m: string): never => {
    throw new Error(`budget ${file}: ${m}`);
  };
  if (!raw || typeof raw !== 'object' || !('endpoints' in raw)) fail('expected an object with "endpoints"');
  const eps = (raw as { endpoints: unknown }).endpoints;
  if (!eps || typeof eps !== 'object' || Array.isArray(eps)) fail('"endpoints" must be an object keyed by endpoint name');
  for (const [name, b] of Object.entries(eps as Record<string, unknown>)) {
    if (!b || typeof b !== 'object' || Array.isArray(b)) fail(`"${name}" must be an object`);
    for (const [k, v] of Object.entries(b as Record<string, unknown>)) {
      if (k === 'components') {
        if (!v || typeof v !== 'object' || Array.isArray(v)) fail(`"${name}".components must be an object`);
        for (const [c, cb] of Object.entries(v as Record<string, unknown>)) {
          if (!cb || typeof cb !== 'object') fail(`"${name}".components."${c}" must be an object`);
          for (const [ck, cv] of Object.entries(cb as Record<string, unknown>)) {
            if (ck !== 'max_share' && ck !== 'max_mean_ms') fail(`"${name}".components."${c}": unknown key "${ck}" (max_share, max_mean_ms)`);
            if (typeof cv !== 'number' || cv < 0) fail(`"${name}".components."${c}".${ck} must be a non-negative number`);
          }
        }
      } else if ((LIMIT_KEYS as readonly string[]).includes(k)) {
        if (typeof v !== 'number' || v < 0) fail(`"${name}".${k} must be a non-negative number`);
      } else fail(`"${name}": unknown key "${k}" (${LIMIT_KEYS.join(', ')}, components)`);
    }
  }
  return raw as Budget;
}

function globMatch(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const rx = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return rx.test(name);
}

/** Checks the report against the budget. `unmatched` lists budget keys that matched no endpoint. */
export function checkBudget(rep: AnalysisReport, budget: Budget): { violations: BudgetViolation[]; unmatched: string[] } {
  const violations: BudgetViolation[] = [];
  const unmatched: string[] = [];
  for (const [pattern, b] of Object.entries(budget.endpoints)) {
    const eps = rep.endpoints.filter((e) => globMatch(pattern, e.name));
    if (eps.length === 0) unmatched.push(pattern);
    for (const ep of eps) violations.push(...checkEndpoint(ep, b));
  }
  return { violations, unmatched };
}

function checkEndpoint(ep: EndpointReport, b: EndpointBudget): BudgetViolation[] {
  const out: BudgetViolation[] = [];
  for (const k of LIMIT_KEYS) {
    const limit = b[k];
    if (limit === undefined) continue;
    const actual = ep[k];
    if (actual > limit) {
      const fmt = k === 'error_rate' ? formatPct : formatMs;
      out.push({ endpoint: ep.name, check: k, actual, limit, message: `${ep.name}: ${k.replace('_ms', '')} ${fmt(actual)} exceeds budget ${fmt(limit)}` });
    }
  }
  for (const [pat, cb] of Object.entries(b.components ?? {})) {
    const comps = ep.components.filter((c) => (pat.startsWith('kind:') ? c.kind === pat.slice(5) : c.component.includes(pat)));
    // Several components can match (e.g. every query of one table): budget their total.
    const share = comps.reduce((a, c) => a + c.share, 0);
    const meanMs = comps.reduce((a, c) => a + c.mean_ms, 0);
    if (cb.max_share !== undefined && share > cb.max_share) {
      out.push({ endpoint: ep.name, check: `share(${pat})`, actual: share, limit: cb.max_share, message: `${ep.name}: "${pat}" takes ${formatPct(share)} of ${ep.components_basis === 'slow' ? 'slow-trace' : ''} latency, budget ${formatPct(cb.max_share)}` });
    }
    if (cb.max_mean_ms !== undefined && meanMs > cb.max_mean_ms) {
      out.push({ endpoint: ep.name, check: `mean(${pat})`, actual: meanMs, limit: cb.max_mean_ms, message: `${ep.name}: "${pat}" mean ${formatMs(meanMs)} on the critical path exceeds budget ${formatMs(cb.max_mean_ms)}` });
    }
  }
  return out;
}
