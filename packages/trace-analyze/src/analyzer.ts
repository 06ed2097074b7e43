import { ANALYSIS_KEYS, EMPTY_ATTRS } from './attributes';
import { ComponentRegistry, operationName, peerOf, remoteService } from './components';
import { criticalPath } from './critical-path';
import type { TimeBase } from './time-base';
import { buildTrace, type SpanNode, type TraceUnit } from './trace-tree';
import type { SpanRecord } from './types';

/** What one analysed unit (request or async subtree) leaves behind once its spans are dropped. */
export interface UnitRecord {
  traceId: string;
  /** Relative ns. */
  start: number;
  /** ns. */
  dur: number;
  /** The root span has an error status (the request failed). */
  error: boolean;
  /** Critical-path time per component: parallel arrays, ids from the ComponentRegistry. */
  compIds: number[];
  compNs: number[];
  /** Critical-path time per call-stack path (flame graph): parallel arrays, ids from `paths`. */
  pathIds: number[];
  pathNs: number[];
  /** Interned "key=value" ids of request-level attributes. */
  attrs: number[];
  /** Critical-path time waiting for DB connections (pool_wait components), ns. */
  connWaitNs: number;
  /** Interned ids of the services/peers this unit called through CLIENT spans (not DB). */
  callees: number[];
}

/** Endpoints of unit roots with one service and span name (see Analyzer.endpointOf). */
interface EndpointNameCache {
  /** Named like an HTTP method: a server span's endpoint then depends on the route. */
  method: boolean;
  /** Endpoint id when it depends on service and name only, whatever the kind (-1 = not yet known). */
  plain: number;
  byRoute: Map<string, number> | undefined;
}

/** One CLIENT call (not DB), for the cross-trace cascade analysis. */
export interface CallObservation {
  callee: number;
  endpoint: number;
  start: number;
  /** Call latency minus any DB-connection wait inside the call's subtree, ns. */
  dur: number;
  /** Made while the caller held a DB connection (connection checked out before, query after). */
  holdsConnection: boolean;
  caller: string;
}

export interface EndpointAcc {
  name: string;
  service: string;
  operation: string;
  origin: TraceUnit['origin'];
  units: UnitRecord[];
  worst: { unit: UnitRecord; root: SpanNode; sections: Array<{ node: SpanNode; start: number; end: number; depth: number }> } | undefined;
}

export interface AnalyzerOptions {
  skewToleranceMs: number;
}

/** Keys never compared between slow and normal traces: they define the endpoint or are unique per request. */
const NO_COMPARE = /(^|[._])(id|uuid|guid)$|trace|span|user_agent|\.port$|client\.address|peer\.ip|sock\.|content_length|body\.size|^url\.|^http\.(url|target|route|method|request\.method|scheme|flavor)$|^network\.|^net\.host/;

/**
 * Turns traces into per-unit records, one trace at a time, so the spans of a trace can be released
 * as soon as it is analysed.
 */
export class Analyzer {
  readonly components = new ComponentRegistry();
  readonly endpoints: EndpointAcc[] = [];
  readonly calls: CallObservation[] = [];
  readonly callees: string[] = [];
  readonly attrNames: Array<[string, string]> = [];
  /** Flame paths: parent path id (-1 for a root) and component id. */
  readonly pathParent: number[] = [];
  readonly pathComp: number[] = [];
  private readonly pathIndex = new Map<string, number>();
  private readonly endpointIndex = new Map<string, number>();
  private readonly rootEndpoints = new Map<string, Map<string, EndpointNameCache>>();
  private readonly asyncEndpoints = new Map<string, Map<string, EndpointNameCache>>();
  private readonly calleeIndex = new Map<string, number>();
  private readonly attrIndex = new Map<string, Map<string, number>>();
  private readonly comparableKeys = new Map<string, boolean>();
  private readonly tolNs: number;

  traces = 0;
  incompleteTraces = 0;
  duplicateSpans = 0;
  orphanSpans = 0;
  reparentedSpans = 0;
  unreachableSpans = 0;
  skewAdjustedSpans = 0;
  maxSkewNs = 0;
  asyncUnits = 0;
  minStart = Infinity;
  maxEnd = -Infinity;

  constructor(private readonly time: TimeBase, opts: AnalyzerOptions) {
    this.tolNs = Math.round(opts.skewToleranceMs * 1e6);
  }

  addTrace(spans: SpanRecord[]): void {
    const shape = buildTrace(spans, { toleranceNs: this.tolNs });
    this.duplicateSpans += shape.duplicateSpans;
    this.unreachableSpans += shape.unreachableSpans;
    if (shape.missingRoot) {
      this.incompleteTraces++;
      return;
    }
    this.traces++;
    this.orphanSpans += shape.orphanSpans;
    this.reparentedSpans += shape.reparentedSpans;
    this.skewAdjustedSpans += shape.skewAdjustedSpans;
    if (shape.maxSkewNs > this.maxSkewNs) this.maxSkewNs = shape.maxSkewNs;
    for (const unit of shape.units) {
      if (unit.origin === 'async') this.asyncUnits++;
      this.addUnit(unit);
    }
  }

  private addUnit(unit: TraceUnit): void {
    const root = unit.root;
    const r = root.span;
    const ep = this.endpointOf(unit.origin === 'async', r);
    const acc = this.endpoints[ep];
    const dur = r.end - r.start;
    if (r.start < this.minStart) this.minStart = r.start;
    if (r.end > this.maxEnd) this.maxEnd = r.end;

    // Critical path → per-component and per-path self time. Small parallel arrays, not Maps: a unit
    // touches a handful of components, and a Map per unit is most of the garbage at 1M spans.
    // Collected in scratch lists and copied to exact-length arrays for the record: an array grown by
    // push keeps room for 17 elements, and the records of every unit are kept to the end (six such
    // arrays per unit were most of what the analysis promoted to the old generation).
    const compIds = COMP_IDS;
    const compNs = COMP_NS;
    const pathIds = PATH_IDS;
    const pathNs = PATH_NS;
    compIds.length = compNs.length = pathIds.length = pathNs.length = 0;
    const isWorst = acc.worst === undefined || dur > acc.worst.unit.dur;
    // Only the endpoint's slowest unit so far keeps its sections (for the worst-trace view).
    const sections: Array<{ node: SpanNode; start: number; end: number; depth: number }> | undefined = isWorst ? [] : undefined;
    let connWaitNs = 0;
    criticalPath(root, { skewToleranceNs: this.tolNs }, (node, start, end, stack) => {
      const ns = end - start;
      const c = this.compOf(node);
      addTo(compIds, compNs, c, ns);
      if (this.components.infos[c].kind === 'pool_wait') connWaitNs += ns;
      addTo(pathIds, pathNs, this.pathOf(stack), ns);
      if (sections !== undefined) sections.push({ node, start, end, depth: stack.length - 1 });
    });

    // Walk the unit once for request attributes, errors and dependency calls.
    const attrs = ATTRS;
    const callees = CALLEES;
    attrs.length = callees.length = 0;
    let error = false;
    // Scratch lists shared by all units (emptied on entry, and before returning so that no spans are
    // kept alive): five fresh arrays per unit were a good part of the analysis' garbage.
    const pools = POOLS;
    const dbs = DBS;
    const clientCalls = CLIENT_CALLS;
    const order = ORDER;
    const stack = STACK;
    pools.length = dbs.length = clientCalls.length = order.length = stack.length = 0;
    stack.push(root);
    while (stack.length > 0) {
      const n = stack.pop()!;
      order.push(n);
      const s = n.span;
      if (s.error) error = true;
      // Entry spans carry all their attributes; others only analysis keys (not compared) and
      // application attributes (see readAnalysisAttributes).
      if (s.attrs !== EMPTY_ATTRS) {
        for (const k in s.attrs) {
          if (!this.comparable(k)) continue;
          const v = s.attrs[k];
          if (typeof v === 'string' && v.length > 100) continue;
          const id = this.attrId(k, String(v));
          if (!attrs.includes(id)) attrs.push(id);
        }
      }
      const ck = this.components.infos[this.compOf(n)].kind;
      if (ck === 'pool_wait') pools.push(n);
      else if (ck === 'db') dbs.push(n);
      else if (s.kind === 'client') clientCalls.push(n);
      // Indexed loops over child lists: for-of over lists of mixed shapes (the frozen shared empty
      // list among them) went through the generic iterator.
      for (let i = 0, ch = n.children; i < ch.length; i++) stack.push(ch[i]);
    }
    // error_rate counts failed requests (root status); any failing span is compared as an attribute.
    if (error) attrs.push(this.attrId('has_error_span', 'true'));
    error = r.error;
    if (clientCalls.length > 0) {
      // Connection wait inside each subtree (children come after parents in `order`): a call's own
      // latency must not include waiting for our pool, or every caller of a waiting service would
      // look like the slow dependency.
      for (let i = order.length - 1; i >= 0; i--) {
        const n = order[i];
        let w = this.components.infos[n.comp].kind === 'pool_wait' ? n.span.end - n.span.start : 0;
        for (let j = 0, ch = n.children; j < ch.length; j++) w += ch[j].wait;
        n.wait = w;
      }
      for (const n of clientCalls) {
        const s = n.span;
        const callee = remoteService(n) ?? peerOf(s.attrs) ?? s.name;
        const id = this.calleeId(callee);
        if (!callees.includes(id)) callees.push(id);
        // Held a connection: checked one out before the call, and queried after it, in this service.
        // With the skew tolerance: OTel JS start times can be whole milliseconds, so the next query
        // may appear to start a fraction of a millisecond before the call ended.
        const tol = this.tolNs;
        let holds = false;
        for (let i = 0; i < pools.length && !holds; i++) holds = pools[i].span.service === s.service && pools[i].span.end <= s.start + tol;
        if (holds) {
          holds = false;
          for (let i = 0; i < dbs.length && !holds; i++) holds = dbs[i].span.service === s.service && dbs[i].span.start >= s.end - tol;
        }
        this.calls.push({ callee: id, endpoint: ep, start: s.start, dur: Math.max(0, s.end - s.start - n.wait), holdsConnection: holds, caller: s.service });
      }
    }

    pools.length = 0;
    dbs.length = 0;
    clientCalls.length = 0;
    order.length = 0;

    const rec: UnitRecord = {
      traceId: r.traceId, start: r.start, dur, error, compIds: compIds.slice(), compNs: compNs.slice(), pathIds: pathIds.slice(),
      pathNs: pathNs.slice(), attrs: attrs.slice(), connWaitNs, callees: callees.slice(),
    };
    acc.units.push(rec);
    if (sections !== undefined) acc.worst = { unit: rec, root, sections: sections.reverse() };
  }

  /**
   * Endpoint of a unit root. Keyed by the strings the endpoint name is made of (service, span name,
   * route: table strings, hashed once), so a unit needs no name concatenated and hashed; roots
   * named from a templated path (no route) take the general key.
   */
  private endpointOf(async: boolean, r: SpanRecord): number {
    const byService = async ? this.asyncEndpoints : this.rootEndpoints;
    let byName = byService.get(r.service);
    if (!byName) byService.set(r.service, (byName = new Map()));
    let e = byName.get(r.name);
    if (!e) byName.set(r.name, (e = { method: /^[A-Z]+$/.test(r.name), plain: -1, byRoute: undefined }));
    // Same case split as operationName: a server span named by an HTTP method is named by its route.
    if (r.kind === 'server' && e.method) {
      const route = r.attrs['http.route'];
      if (typeof route !== 'string' || route === '') return this.endpointByKey(async, r);
      e.byRoute ??= new Map();
      let ep = e.byRoute.get(route);
      if (ep === undefined) e.byRoute.set(route, (ep = this.endpointByKey(async, r)));
      return ep;
    }
    if (e.plain < 0) e.plain = this.endpointByKey(async, r);
    return e.plain;
  }

  private endpointByKey(async: boolean, r: SpanRecord): number {
    const op = operationName(r.name, r.kind, r.attrs);
    const epName = `${r.service} ${op}`;
    const epKey = `${async ? 'async' : 'root'}\0${epName}`;
    let ep = this.endpointIndex.get(epKey);
    if (ep === undefined) {
      ep = this.endpoints.length;
      this.endpointIndex.set(epKey, ep);
      this.endpoints.push({ name: epName, service: r.service, operation: op, origin: async ? 'async' : 'root', units: [], worst: undefined });
    }
    return ep;
  }

  /** Flame path id of the top of `stack` (root..node); ancestors are memoised on the nodes, so O(new nodes). */
  private pathOf(stack: readonly SpanNode[]): number {
    let i = stack.length - 1;
    while (i >= 0 && stack[i].path < 0) i--;
    let parentPath = i >= 0 ? stack[i].path : -1;
    for (let j = i + 1; j < stack.length; j++) {
      const comp = this.compOf(stack[j]);
      const key = `${parentPath}:${comp}`;
      let id = this.pathIndex.get(key);
      if (id === undefined) {
        id = this.pathParent.length;
        this.pathParent.push(parentPath);
        this.pathComp.push(comp);
        this.pathIndex.set(key, id);
      }
      stack[j].path = id;
      parentPath = id;
    }
    return parentPath;
  }

  /** Whether an attribute key is worth comparing (regex once per key). */
  private comparable(k: string): boolean {
    let ok = this.comparableKeys.get(k);
    if (ok === undefined) {
      ok = !ANALYSIS_KEYS.has(k) && !NO_COMPARE.test(k);
      this.comparableKeys.set(k, ok);
    }
    return ok;
  }

  /** Component of a node, computed once per node. */
  private compOf(n: SpanNode): number {
    if (n.comp < 0) n.comp = this.components.of(n);
    return n.comp;
  }

  private calleeId(name: string): number {
    let id = this.calleeIndex.get(name);
    if (id === undefined) {
      id = this.callees.length;
      this.callees.push(name);
      this.calleeIndex.set(name, id);
    }
    return id;
  }

  private attrId(k: string, v: string): number {
    // Nested maps: no "key=value" string built per attribute per request.
    let byValue = this.attrIndex.get(k);
    if (!byValue) this.attrIndex.set(k, (byValue = new Map()));
    let id = byValue.get(v);
    if (id === undefined) {
      id = this.attrNames.length;
      this.attrNames.push([k, v]);
      byValue.set(v, id);
    }
    return id;
  }

  epochMs(rel: number): number {
    return this.time.toEpochMs(rel);
  }
}

const COMP_IDS: number[] = [];
const COMP_NS: number[] = [];
const PATH_IDS: number[] = [];
const PATH_NS: number[] = [];
const ATTRS: number[] = [];
const CALLEES: number[] = [];
const POOLS: SpanNode[] = [];
const DBS: SpanNode[] = [];
const CLIENT_CALLS: SpanNode[] = [];
const ORDER: SpanNode[] = [];
const STACK: SpanNode[] = [];

function addTo(ids: number[], vals: number[], id: number, v: number): void {
  const i = ids.indexOf(id);
  if (i >= 0) vals[i] += v;
  else {
    ids.push(id);
    vals.push(v);
  }
}
