import type { SpanNode } from './trace-tree';
import type { Attrs } from './types';
import { EMPTY_ATTRS } from './attributes';

/**
 * What kind of time a component is. `network` is the gap between a CLIENT span and the SERVER span
 * it caused (wire + queueing in the callee before its span started); `pool_wait` is time spent
 * waiting for a pooled DB connection (pg-pool.connect / pg.connect), kept apart from query time.
 */
export type ComponentKind =
  | 'server' | 'internal' | 'client' | 'producer' | 'consumer' | 'db' | 'pool_wait' | 'network';

export interface ComponentInfo {
  /** Stable, human-readable label (the `component` field of the JSON report). */
  label: string;
  /** Service the time is spent in (for DB time: the database system; for a client call: the peer). */
  service: string;
  kind: ComponentKind;
}

const POOL_WAIT_NAME = /^pg-pool\.connect$|(^|[.\-_ ])pool[.\-_ ]?(connect|acquire|checkout|wait)/i;
const CONNECT_NAME = /^pg\.connect$/;

/** Interns component identities so per-trace tallies are small integer-keyed arrays. */
export class ComponentRegistry {
  readonly infos: ComponentInfo[] = [];
  private readonly byKey = new Map<string, number>();
  /** Per span name: 0 = ordinary, 1 = pool wait, 2 = connect (regexes run once per name). */
  private readonly nameClass = new Map<string, number>();
  private readonly cache2 = new Map<string, Map<string, Map<string, number>>>();
  private readonly plainCache = new Map<string, Map<string, Map<string, number>>>();
  private readonly spanCache = new Map<string, Map<string, Map<string, number>>>();

  /**
   * Cached lookup by two strings (both usually interned), so the common span shapes never build a
   * key string: this runs once per span.
   */
  private cached(tag: string, a: string, b: string, make: () => ComponentInfo): number {
    const byB = this.cache2Of(tag, a);
    let id = byB.get(b);
    if (id === undefined) {
      id = this.id(`${tag}\0${a}\0${b}`, make);
      byB.set(b, id);
    }
    return id;
  }

  private cache2Of(tag: string, a: string): Map<string, number> {
    let byA = this.cache2.get(tag);
    if (!byA) this.cache2.set(tag, (byA = new Map()));
    let byB = byA.get(a);
    if (!byB) byA.set(a, (byB = new Map()));
    return byB;
  }

  id(key: string, make: () => ComponentInfo): number {
    let id = this.byKey.get(key);
    if (id === undefined) {
      id = this.infos.length;
      this.infos.push(make());
      this.byKey.set(key, id);
    }
    return id;
  }

  /** The component charged for `node`'s self time on the critical path. */
  of(node: SpanNode): number {
    const s = node.span;
    const a = s.attrs;
    const svc = s.service;
    // Fast path: a span without attributes can only be a pool span or a plain operation.
    if (a === EMPTY_ATTRS && s.kind !== 'client' && s.kind !== 'server') {
      let byKind = this.plainCache.get(svc)?.get(s.name);
      const hit = byKind?.get(s.kind);
      if (hit !== undefined) return hit;
      const id = this.ofSlow(node);
      let byName = this.plainCache.get(svc);
      if (!byName) this.plainCache.set(svc, (byName = new Map()));
      byKind = byName.get(s.name);
      if (!byKind) byName.set(s.name, (byKind = new Map()));
      byKind.set(s.kind, id);
      return id;
    }
    return this.ofSlow(node);
  }

  private ofSlow(node: SpanNode): number {
    const s = node.span;
    const a = s.attrs;
    const svc = s.service;
    const dbSystem = str(a['db.system.name']) ?? str(a['db.system']);
    let nameClass = this.nameClass.get(s.name);
    if (nameClass === undefined) {
      nameClass = CONNECT_NAME.test(s.name) ? 2 : POOL_WAIT_NAME.test(s.name) ? 1 : 0;
      this.nameClass.set(s.name, nameClass);
    }
    if (nameClass !== 0) {
      const system = dbSystem ?? (s.name.startsWith('pg') ? 'postgresql' : 'db');
      const what = nameClass === 2 ? 'connect' : 'pool wait';
      // Cached like `cached`, so a pool span builds no key string.
      const byB = this.cache2Of(nameClass === 2 ? 'pool connect' : 'pool wait', svc);
      let id = byB.get(system);
      if (id === undefined) {
        id = this.id(`pool\0${svc}\0${system}\0${what}`, () => ({ label: `${svc}: ${system} ${what}`, service: svc, kind: 'pool_wait' }));
        byB.set(system, id);
      }
      return id;
    }
    if (dbSystem !== undefined && (s.kind === 'client' || s.kind === 'unspecified' || s.kind === 'internal')) {
      // Group by fingerprint when we have one (exact query shape), label with the summary.
      const hash = str(a['org.db.query.hash']);
      const summary = str(a['db.query.summary']);
      const label = summary ?? s.name;
      const key = hash ?? summary ?? s.name;
      return this.cached('db', dbSystem, key, () => ({
        label: `${dbSystem}: ${label}${hash ? ` #${hash.slice(0, 8)}` : ''}`, service: dbSystem, kind: 'db',
      }));
    }
    if (s.kind === 'client') {
      const callee = remoteService(node);
      if (callee !== undefined) {
        return this.cached('net', svc, callee, () => ({ label: `network/queue ${svc} → ${callee}`, service: svc, kind: 'network' }));
      }
      const peer = peerOf(a) ?? s.name;
      return this.cached('client', svc, peer, () => ({ label: `${svc} → ${peer}`, service: peer, kind: 'client' }));
    }
    // Hot path (most spans): nested maps on interned strings, no key string built per span.
    let byName = this.spanCache.get(svc);
    if (!byName) this.spanCache.set(svc, (byName = new Map()));
    const ck = s.kind === 'server' && /^[A-Z]+$/.test(s.name) ? operationName(s.name, s.kind, a) : s.name;
    let byKind = byName.get(ck);
    if (!byKind) byName.set(ck, (byKind = new Map()));
    const hit = byKind.get(s.kind);
    if (hit !== undefined) return hit;
    const op = operationName(s.name, s.kind, a);
    const kind: ComponentKind = s.kind === 'unspecified' ? 'internal' : s.kind;
    const id = this.id(`span\0${svc}\0${op}\0${kind}`, () => ({ label: `${svc}: ${op}`, service: svc, kind }));
    byKind.set(s.kind, id);
    return id;
  }
}

/** The service a CLIENT span called, when that service's SERVER span is in the trace. */
export function remoteService(node: SpanNode): string | undefined {
  for (let i = 0, ch = node.children; i < ch.length; i++) {
    const c = ch[i];
    if (c.span.kind === 'server' || c.span.service !== node.span.service) return c.span.service;
  }
  return undefined;
}

/** The peer a CLIENT span talks to, by the most specific attribute available. */
export function peerOf(a: Attrs): string | undefined {
  const direct = str(a['peer.service']) ?? str(a['server.address']) ?? str(a['net.peer.name']);
  if (direct !== undefined) return direct;
  const url = str(a['url.full']) ?? str(a['http.url']);
  if (url !== undefined) {
    try {
      return new URL(url).hostname;
    } catch {
      /* not a URL: fall through */
    }
  }
  return str(a['http.host']) ?? str(a['rpc.service']) ?? str(a['messaging.destination.name']) ?? str(a['messaging.destination']);
}

/**
 * Span name, made specific when it is only an HTTP method (older HTTP instrumentations name server
 * spans "GET" and put the route in `http.route`).
 */
export function operationName(name: string, kind: string, a: Attrs): string {
  if (kind === 'server' && /^[A-Z]+$/.test(name)) {
    const route = str(a['http.route']);
    if (route !== undefined) return `${name} ${route}`;
    // No route (plain node:http, no framework): the path with id-like segments templated, so
    // /orders/42 and /orders/43 are one endpoint.
    const target = str(a['url.path']) ?? str(a['http.target']);
    if (target !== undefined) return `${name} ${templatePath(target)}`;
  }
  return name || '(unnamed)';
}

const ID_SEGMENT = /^(\d+|[0-9a-f]{8,}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?=.*\d)[A-Za-z0-9_-]{16,})$/i;

/** `/orders/42/items/9f1c…?x=1` → `/orders/{id}/items/{id}`. */
export function templatePath(target: string): string {
  const path = target.split('?')[0].split('#')[0];
  return path.split('/').map((seg) => (ID_SEGMENT.test(seg) ? '{id}' : seg)).join('/') || '/';
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}
