// Zero literal leaks on a corpus of PII-laden statements: not in the sanitized text, the key, the
// summary — nor anywhere in the OTLP body once the statement, its error status and a recorded
// exception went through the processor.
import { SpanStatusCode } from '@opentelemetry/api';
import { DbQueryHashSpanProcessor, normalizeSql, QueryHasher } from '@org/trace-processors';
import { harness, withoutIds } from './span-harness';

const corpus: Array<{ sql: string; secrets: string[] }> = require('./corpus/pii-queries.json');

function leaks(text: string, secrets: string[]): string[] {
  const lower = text.toLowerCase();
  return secrets.filter((s) => lower.includes(s.toLowerCase()));
}

describe('PII corpus', () => {
  it('has a real corpus', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
  });

  it.each(corpus.map((c) => [c.sql, c.secrets] as const))('normalizer output of %s carries no literal', (sql, secrets) => {
    const n = normalizeSql(sql);
    expect(leaks(n.sanitized, secrets)).toEqual([]);
    expect(leaks(n.key, secrets)).toEqual([]);
    expect(leaks(n.summary, secrets)).toEqual([]);
    expect(leaks(n.operation + n.collection, secrets)).toEqual([]);
  });

  it('nothing of the corpus reaches the exporter (text, status, exception events)', async () => {
    const h = harness(new DbQueryHashSpanProcessor({ hasher: new QueryHasher() }));
    for (const { sql } of corpus) {
      const span = h.startDbSpan();
      span.setAttribute('db.query.text', sql);
      span.setAttributes({ 'db.statement': sql, 'db.postgresql.values': ['alice.liddell'] });
      const message = `syntax error at or near "${sql.slice(0, 60)}" in '${sql}'`;
      const error = new Error(message);
      // A fixed stack: real frames carry line numbers that could match a short numeric secret.
      error.stack = `Error: ${message}\n    at Client.query (/app/node_modules/db-client/index.js:10:5)`;
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message });
      span.end();
    }
    const body = withoutIds(h.otlp());
    const allSecrets = corpus.flatMap((c) => c.secrets).filter((s) => s.length >= 3);
    expect(leaks(body, allSecrets)).toEqual([]);
    expect(h.exporter.getFinishedSpans()).toHaveLength(corpus.length);
    await h.shutdown();
  });
});
