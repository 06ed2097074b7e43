// Node 22+ ships a V8 that grows the heap in larger steps before it settles (measured on Node 24:
// +46 MiB at 10k requests, +79 at 60k, +78 at 120k — flat, not a leak; with --max-old-space-size=48
// the same 60k requests run fine). RSS bounds therefore scale with the V8 generation the app runs
// on; the bounds stay tight enough that a per-request leak of ~1 KiB still fails them.
export const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
export function rssSlackMiB(node20Bound: number): number {
  return NODE_MAJOR >= 22 ? Math.round(node20Bound * 2.5) : node20Bound;
}
