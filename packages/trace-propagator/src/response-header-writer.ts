// Sets response headers for the echo without Node's per-call header validation. `setHeader`
// validates the name and the value through error-wrapping helpers on every call; for the two echo
// headers of every traced response that was about half of the echo's cost (~1 µs of a request).
// Here the name was validated once at configuration, and the value is checked by a plain loop
// (visible ASCII and spaces: our ids and the accepted legacy values are nothing else).
//
// The write goes where `setHeader` puts it: the OutgoingMessage's `kOutHeaders` record
// (`{ lower-case name: [name, value] }`, the same from Node 18 to 24). That is an internal, so it is
// found and checked once, on probe messages, at the first response: the symbol must exist, `setHeader` must fill
// it in that shape, and a header written there must read back through getHeader/hasHeader/
// getHeaderNames and appear in the head a ServerResponse writes. If any of it differs (another
// Node.js, a runtime imitating it), every call takes `setHeader`.
import { IncomingMessage, OutgoingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';

type HeaderRecord = Record<string, [string, string | number | readonly string[]]>;
type WithRecord = OutgoingMessage & Record<symbol, HeaderRecord | null | undefined>;

function write(res: WithRecord, sym: symbol, name: string, lower: string, value: string): void {
  let headers = res[sym];
  if (headers === null || headers === undefined) {
    headers = Object.create(null) as HeaderRecord;
    res[sym] = headers;
  }
  headers[lower] = [name, value];
}

function findOutHeaders(): symbol | undefined {
  try {
    const filled = new OutgoingMessage() as WithRecord;
    const sym = Object.getOwnPropertySymbols(filled).find((s) => s.description === 'kOutHeaders');
    if (sym === undefined || filled[sym] !== null) return undefined;
    filled.setHeader('X-Probe', 'v');
    const entry = (filled[sym] as HeaderRecord | null | undefined)?.['x-probe'];
    if (!Array.isArray(entry) || entry.length !== 2 || entry[0] !== 'X-Probe' || entry[1] !== 'v') return undefined;
    // And on a real server response, a direct write must read back through the public API and
    // reach the head Node writes (a runtime imitating Node's http could keep headers elsewhere).
    const res = new ServerResponse(new IncomingMessage(new Socket())) as ServerResponse & WithRecord;
    write(res, sym, 'X-Probe', 'x-probe', 'w');
    const names = res.getHeaderNames();
    if (res.getHeader('x-probe') !== 'w' || !res.hasHeader('X-Probe') || names.length !== 1 || names[0] !== 'x-probe') return undefined;
    res.writeHead(200);
    const head = (res as unknown as { _header?: unknown })._header;
    if (typeof head !== 'string' || !head.includes('\r\nX-Probe: w\r\n')) return undefined;
    return sym;
  } catch {
    return undefined;
  }
}

// Probed on the first response, not at load: the probe builds and writes a response head (~5 ms
// cold), which the register's startup need not pay.
let probed = false;
let outHeaders: symbol | undefined;
function outHeadersSymbol(): symbol | undefined {
  if (!probed) {
    probed = true;
    outHeaders = findOutHeaders();
  }
  return outHeaders;
}
const nodeSetHeader = OutgoingMessage.prototype.setHeader;

/** Visible ASCII and space/tab only: what can go on the wire without any escaping question. */
function isPlainValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x7e || (c < 0x20 && c !== 0x09)) return false;
  }
  return true;
}

/**
 * `res.setHeader(name, value)` for a `name` already validated as a token, `lower` its lower case.
 * `knownPlain`: the caller built `value` from checked parts only (hex ids), so it is not re-scanned.
 */
export function setResponseHeader(res: OutgoingMessage, name: string, lower: string, value: string, knownPlain = false): void {
  // A response whose setHeader was replaced (a framework mirroring its headers, a test double) gets
  // the call it expects.
  const sym = outHeadersSymbol();
  if (sym !== undefined && res.setHeader === nodeSetHeader && (knownPlain || isPlainValue(value))) write(res as WithRecord, sym, name, lower, value);
  else res.setHeader(name, value);
}

/**
 * Both echo headers at once on a response that has no header at all yet — the usual case, as the
 * echo runs before the app's handler: one record with both entries, no lookups for existing ones.
 * Returns false without writing anything otherwise; the caller then goes header by header.
 * `value2` must be plain already (the caller built it from checked ids).
 */
export function setOnBareResponse(res: OutgoingMessage, name1: string, lower1: string, value1: string, name2: string, lower2: string, value2: string): boolean {
  const sym = outHeadersSymbol();
  if (sym === undefined || res.setHeader !== nodeSetHeader) return false;
  const r = res as WithRecord;
  // Node starts every message with a null record; anything else means headers were set already.
  if (r[sym] !== null || !isPlainValue(value1)) return false;
  const headers = Object.create(null) as HeaderRecord;
  headers[lower1] = [name1, value1];
  headers[lower2] = [name2, value2];
  r[sym] = headers;
  return true;
}

/** Whether the direct write is in use on this Node.js (probes on first call). */
export function directHeaderWrites(): boolean {
  return outHeadersSymbol() !== undefined;
}
