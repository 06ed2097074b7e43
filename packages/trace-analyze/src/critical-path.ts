import type { SpanNode } from './trace-tree';

/**
 * Receives the critical path as self-time sections: `node` alone determined the latency during
 * [start, end). `stack` is the chain of critical spans from the unit's root down to `node` (inclusive);
 * it is only valid during the call. Sections arrive latest first.
 */
export type SectionSink = (node: SpanNode, start: number, end: number, stack: readonly SpanNode[]) => void;

export interface CriticalPathOptions {
  /**
   * Overlap tolerated between two siblings that are treated as sequential (clock skew between hosts
   * makes a sibling appear to end slightly after the next one started). Nanoseconds. An overlap is
   * also never tolerated beyond half the earlier sibling's duration, so real parallel work stays parallel.
   */
  skewToleranceNs: number;
}

interface Frame {
  node: SpanNode;
  lo: number;
  hi: number;
  /** The walk moves backwards from hi; [t, hi) is already explained. */
  t: number;
  kids: SpanNode[];
  idx: number;
}

/**
 * Critical path of one unit, walking backwards from the root's end: the child that finished last
 * determined the parent's end; before that child started, the sibling that finished last before that
 * moment did; gaps between them are the parent's own time. Recursively, inside each chosen child.
 *
 * Every span is clamped to its parent's window, so the sections partition [root.start, root.end)
 * exactly: their sum is the root duration, in integer nanoseconds. Iterative (explicit stack) so very
 * deep traces cannot overflow the call stack.
 */
export function criticalPath(root: SpanNode, opts: CriticalPathOptions, emit: SectionSink): void {
  const tol = opts.skewToleranceNs;
  const frames: Frame[] = [];
  const stack: SpanNode[] = [];
  const push = (node: SpanNode, lo: number, hi: number): void => {
    const kids = node.children.length > 1 ? node.children.slice().sort(byEndDesc) : node.children;
    frames.push({ node, lo, hi, t: hi, kids, idx: 0 });
    stack.push(node);
  };
  if (root.span.end <= root.span.start) return;
  push(root, root.span.start, root.span.end);
  while (frames.length > 0) {
    const f = frames[frames.length - 1];
    let chosen: SpanNode | undefined;
    let cs = 0;
    let ce = 0;
    while (f.idx < f.kids.length) {
      const c = f.kids[f.idx++];
      cs = c.span.start > f.lo ? c.span.start : f.lo;
      ce = c.span.end < f.hi ? c.span.end : f.hi;
      if (ce <= cs || cs >= f.t) continue; // empty after clamping, or entirely inside explained time
      if (ce > f.t) {
        // Overlaps the sibling chosen before it: parallel work, unless the overlap is small skew.
        const overlap = ce - f.t;
        if (overlap > tol || overlap * 2 > ce - cs) continue;
        ce = f.t;
      }
      chosen = c;
      break;
    }
    if (chosen === undefined) {
      if (f.t > f.lo) emit(f.node, f.lo, f.t, stack);
      frames.pop();
      stack.pop();
      continue;
    }
    if (ce < f.t) emit(f.node, ce, f.t, stack);
    f.t = cs;
    push(chosen, cs, ce);
  }
}

function byEndDesc(a: SpanNode, b: SpanNode): number {
  return b.span.end - a.span.end || b.span.start - a.span.start;
}
