/**
 * Database error messages echo values: `invalid input syntax for type integer: "abc"`,
 * `Key (email)=(alice@example.com) already exists`, `syntax error at or near "'secret'"`. On db spans
 * those messages become the span status and `exception.message`/`exception.stacktrace`, so they are
 * scrubbed before they are stored.
 *
 * Rule: a quoted segment survives only when the word right before it says it is a schema object name
 * (`relation "users"`, `column "email"`, `constraint "users_email_key"`) — those are what makes the
 * error useful and they are not user data. Every other quoted segment (extended to the last quote of
 * its kind, since values are quoted without escaping), every `'…'` segment, the value side of
 * `Key (…)=(…)`, and anything after an unbalanced quote become `?`. One forward scan, no regular
 * expression: linear on any input.
 */

/** Longest message kept (characters); longer ones are cut, since the tail adds nothing a reader needs. */
export const MAX_ERROR_MESSAGE_LENGTH = 1024;

/** Words that name the kind of object whose (double-quoted) name follows. */
const OBJECT_KINDS = new Set([
  'relation', 'column', 'constraint', 'table', 'index', 'type', 'function', 'schema', 'database',
  'sequence', 'view', 'operator', 'trigger', 'extension', 'role', 'user', 'tablespace', 'collation',
  'domain', 'cursor', 'statement', 'portal', 'savepoint', 'publication', 'subscription', 'server',
  'policy', 'aggregate', 'procedure', 'parameter', 'channel', 'language', 'routine', 'rule', 'conversion',
  'opclass', 'family', 'object', 'attribute', 'identifier',
]);

const PLACEHOLDER = '?';

/** The word (letters/digits/_) that ends right before `end`, skipping one run of spaces, lower-cased. */
function wordBefore(text: string, end: number): string {
  let p = end;
  while (p > 0 && text.charCodeAt(p - 1) === 32) p--;
  const stop = p;
  while (p > 0) {
    const c = text.charCodeAt(p - 1) | 0x20;
    const isWordChar = (c >= 97 && c <= 122) || (text.charCodeAt(p - 1) >= 48 && text.charCodeAt(p - 1) <= 57) || text.charCodeAt(p - 1) === 95;
    if (!isWordChar) break;
    p--;
  }
  return text.slice(p, stop).toLowerCase();
}

/** Scrub values from a database error message. Never throws; non-strings give ''. */
export function sanitizeDbErrorMessage(message: unknown): string {
  if (typeof message !== 'string') return '';
  try {
    return scrub(message.length > MAX_ERROR_MESSAGE_LENGTH ? message.slice(0, MAX_ERROR_MESSAGE_LENGTH) : message);
  } catch {
    return PLACEHOLDER;
  }
}

function scrub(text: string): string {
  let out = '';
  let from = 0;
  let p = 0;
  const len = text.length;
  while (p < len) {
    const c = text.charCodeAt(p);
    if (c === 34 /* " */ || c === 39 /* ' */) {
      const quote = c === 34 ? '"' : "'";
      if (c === 34 && OBJECT_KINDS.has(wordBefore(text, p))) {
        // An object name: keep it, up to its closing quote (doubled quotes are escapes, as in SQL).
        let q = p + 1;
        for (;;) {
          q = text.indexOf(quote, q);
          if (q < 0 || text.charCodeAt(q + 1) !== c) break;
          q += 2;
        }
        if (q >= 0) {
          p = q + 1;
          continue;
        }
      }
      // A value. PostgreSQL quotes values without escaping the quotes inside them
      // (`at or near "'{"k":"v"}'"`), so the nearest closing quote may sit inside the value: the value
      // is taken to run to the *last* such quote of the message. That may hide an object name that
      // follows, never a piece of the value.
      const last = text.lastIndexOf(quote);
      if (last <= p) {
        // Unbalanced: we cannot tell where the value ends, so nothing after the quote survives.
        return out + text.slice(from, p + 1) + PLACEHOLDER;
      }
      out += text.slice(from, p + 1) + PLACEHOLDER;
      from = last;
      p = last + 1;
      continue;
    }
    if (c === 41 /* ) */ && text.charCodeAt(p + 1) === 61 /* = */ && text.charCodeAt(p + 2) === 40 /* ( */) {
      // `Key (col, col2)=(value, value2)`: the right-hand side is the row's data.
      const close = matchingParen(text, p + 2);
      out += text.slice(from, p + 3) + PLACEHOLDER;
      if (close < 0) return out;
      from = close;
      p = close + 1;
      continue;
    }
    p++;
  }
  return out + text.slice(from);
}

/** Index of the `)` closing the `(` at `open`, or -1. Quotes inside do not count. */
function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let p = open; p < text.length; p++) {
    const c = text.charCodeAt(p);
    if (c === 40) depth++;
    else if (c === 41 && --depth === 0) return p;
  }
  return -1;
}

/**
 * A stack trace starts with `Name: message`; scrub that message (wherever it sits) and keep the frames.
 */
export function sanitizeDbErrorStack(stack: unknown, rawMessage?: unknown): string {
  if (typeof stack !== 'string') return '';
  try {
    if (typeof rawMessage === 'string' && rawMessage.length > 0) {
      const at = stack.indexOf(rawMessage);
      if (at >= 0) {
        return stack.slice(0, at) + sanitizeDbErrorMessage(rawMessage) + sanitizeFrames(stack.slice(at + rawMessage.length));
      }
    }
    // Unknown message: scrub the header (everything before the first frame) and the frames' quotes.
    const frame = stack.indexOf('\n    at ');
    if (frame < 0) return sanitizeDbErrorMessage(stack);
    return sanitizeDbErrorMessage(stack.slice(0, frame)) + sanitizeFrames(stack.slice(frame));
  } catch {
    return PLACEHOLDER;
  }
}

/** Frames hold file paths and function names; quotes there are rare but could hold anything. */
function sanitizeFrames(frames: string): string {
  return frames.indexOf('"') < 0 && frames.indexOf("'") < 0 ? frames : scrub(frames);
}
