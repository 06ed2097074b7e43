import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Statements of a corpus file: separated by blank lines; a block made only of `--` lines is a header. */
export function loadCorpus(name: string): string[] {
  return readFileSync(join(__dirname, name), 'utf8')
    .split(/\n\s*\n/)
    .map((b) => b.trim())
    .filter((b) => b.length > 0 && !b.split('\n').every((l) => l.startsWith('--')));
}
