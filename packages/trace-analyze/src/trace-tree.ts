import type { SpanRecord } from './types';

/** A span in its trace's tree. `children` are waited for; `detached` are not (analysed separately). */
export interface SpanNode {
  span: SpanRecord;
  parent: SpanNode | undefined;
  children: SpanNode[];
  detached: SpanNode[];
  /** Component id, filled lazily by the analyzer (-1 = not yet). */
  comp: number;
  /** Flame-graph path id, filled by the analyzer (-1 = not yet). */
  path: number;
  /** DB-connection wait inside this subtree, ns (filled by the analyzer). */
  wait: number;
}

/** A subtree analysed on its own: the trace's root, an extra root, or an async (detached) subtree. */
export interface TraceUnit {
  root: SpanNode;
  /** 'root' = the request; 'async' = consumer / follows-from / fire-and-forget; 'extra-root' = a second parentless span. */
  origin: 'root' | 'async' | 'extra-root';
}

export interface TraceShape {
  units: TraceUnit[];
  spans: number;
  duplicateSpans: number;
  /** Spans whose parent is missing, hung under the root so their time is not lost. */
  orphanSpans: number;
  /** Late children (started after their parent ended) re-homed under the ancestor still running. */
  reparentedSpans: number;
  /** Spans in a parent cycle or otherwise unreachable from any root. */
  unreachableSpans: number;
  /** Spans shifted to correct clock skew between services. */
  skewAdjustedSpans: number;
  /** Largest skew correction applied, ns. */
  maxSkewNs: number;
  /** No parentless span: the trace is partial and is not used for latency statistics. */
  missingRoot: boolean;
}

/**
 * Builds the tree of one trace, decides which children are waited for, and corrects clock skew.
 *
 * Skew: a child from another service (another host, another clock) that does not fit inside its
 * parent is shifted, with its whole subtree, so that it sits centred in the parent — the same
 * assumption Jaeger's UI makes (request and response latency split evenly). Children of the same
 * service share a clock and are never shifted; small spills are clamped later by the critical path.
 *
 * Detached: CONSUMER spans, children of PRODUCER spans, follows-from children, and same-service
 * children that start after their parent ended and after every ancestor ended are not on the
 * request's critical path. Each such subtree becomes its own unit, so its latency is still analysed
 * (as its own endpoint). A late child that some ancestor was still waiting for is moved under it.
 */
export function buildTrace(spans: SpanRecord[], opts: { toleranceNs?: number } = {}): TraceShape {
  // OpenTelemetry JS start times can be whole milliseconds while durations are precise, so a child
  // may seem to start up to ~1 ms after its parent ended; within the tolerance it is still a child.
  const tol = opts.toleranceNs ?? 2e6;
  const nodes: SpanNode[] = [];
  // Small traces (the vast majority) are indexed by linear search: cheaper than building a Map.
  const byId = spans.length > 24 ? new Map<string, SpanNode>() : undefined;
  const find = (id: string): SpanNode | undefined => {
    if (byId) return byId.get(id);
    for (let i = 0; i < nodes.length; i++) if (nodes[i].span.spanId === id) return nodes[i];
    return undefined;
  };
  let duplicateSpans = 0;
  for (const span of spans) {
    if (find(span.spanId) !== undefined) {
      duplicateSpans++;
      continue;
    }
    const node: SpanNode = { span, parent: undefined, children: NONE, detached: NONE, comp: -1, path: -1, wait: 0 };
    nodes.push(node);
    byId?.set(span.spanId, node);
  }
  const roots: SpanNode[] = [];
  const orphans: SpanNode[] = [];
  for (const node of nodes) {
    const pid = node.span.parentSpanId;
    if (pid === '' || pid === node.span.spanId) {
      roots.push(node);
      continue;
    }
    const parent = find(pid);
    if (parent === undefined) orphans.push(node);
    else node.parent = parent;
  }
  const shape: TraceShape = {
    units: [], spans: nodes.length, duplicateSpans, orphanSpans: 0, reparentedSpans: 0, unreachableSpans: 0,
    skewAdjustedSpans: 0, maxSkewNs: 0, missingRoot: roots.length === 0,
  };
  if (roots.length === 0) return shape;
  // Earliest start wins, then the longest: a client-side root encloses the server it called.
  if (roots.length > 1) roots.sort((a, b) => a.span.start - b.span.start || (b.span.end - b.span.start) - (a.span.end - a.span.start));
  const primary = roots[0];
  for (const o of orphans) o.parent = primary;
  shape.orphanSpans = orphans.length;

  for (const node of nodes) {
    const p = node.parent;
    if (p === undefined) continue;
    if (isDetached(node, p)) {
      if (p.detached === NONE) p.detached = [];
      p.detached.push(node);
    } else {
      if (p.children === NONE) p.children = [];
      p.children.push(node);
    }
  }

  shape.units.push({ root: primary, origin: 'root' });
  for (let i = 1; i < roots.length; i++) shape.units.push({ root: roots[i], origin: 'extra-root' });
  // Walk every unit top-down: fix skew, re-home late children, and turn detached subtrees into
  // units of their own.
  let reached = 0;
  for (let u = 0; u < shape.units.length; u++) {
    const unitRoot = shape.units[u].root;
    const stack: SpanNode[] = [unitRoot];
    while (stack.length > 0) {
      const n = stack.pop()!;
      reached++;
      let late: SpanNode[] | undefined;
      for (let i = 0, ch = n.children; i < ch.length; i++) {
        const c = ch[i];
        if (c.span.service !== n.span.service) fixSkew(c, n, shape);
        if (c.span.service === n.span.service && c.span.start >= n.span.end + tol && c.span.end > n.span.end) (late ??= []).push(c);
        else stack.push(c);
      }
      if (late) {
        n.children = n.children.filter((c) => !late!.includes(c));
        for (const c of late) {
          // Starts after its parent finished. Either a context leak (pg-pool hands a queued
          // connect the releasing client's context, so it hangs under an already-ended span) — then
          // the closest ancestor still running when it started is who waited for it — or real
          // fire-and-forget work that outlives the request: a unit of its own.
          let a = n === unitRoot ? undefined : n.parent;
          while (a !== undefined && !(a.span.start <= c.span.start && c.span.start < a.span.end)) a = a === unitRoot ? undefined : a.parent;
          if (a !== undefined) {
            c.parent = a;
            if (a.children === NONE) a.children = [];
            a.children.push(c);
            shape.reparentedSpans++;
            stack.push(c);
          } else {
            if (n.detached === NONE) n.detached = [];
            n.detached.push(c);
          }
        }
      }
      for (let i = 0, dt = n.detached; i < dt.length; i++) shape.units.push({ root: dt[i], origin: 'async' });
    }
  }
  shape.unreachableSpans = nodes.length - reached;
  return shape;
}

/** Shared empty child list: most spans are leaves, and two arrays per span add up over a million spans. */
const NONE: SpanNode[] = Object.freeze([]) as unknown as SpanNode[];

function isDetached(child: SpanNode, parent: SpanNode): boolean {
  const k = child.span.kind;
  return k === 'consumer' || child.span.followsFrom || parent.span.kind === 'producer';
}

function fixSkew(child: SpanNode, parent: SpanNode, shape: TraceShape): void {
  const c = child.span;
  const p = parent.span;
  if (c.start >= p.start && c.end <= p.end) return;
  const cd = c.end - c.start;
  const pd = p.end - p.start;
  // Centre the child when it can fit; otherwise align starts (the excess is clamped later).
  const target = cd <= pd ? p.start + Math.floor((pd - cd) / 2) : p.start;
  const delta = target - c.start;
  if (delta === 0) return;
  shape.maxSkewNs = Math.max(shape.maxSkewNs, Math.abs(delta));
  const stack: SpanNode[] = [child];
  while (stack.length > 0) {
    const n = stack.pop()!;
    n.span.start += delta;
    n.span.end += delta;
    shape.skewAdjustedSpans++;
    for (let i = 0, ch = n.children; i < ch.length; i++) stack.push(ch[i]);
    for (let i = 0, dt = n.detached; i < dt.length; i++) stack.push(dt[i]);
  }
}
