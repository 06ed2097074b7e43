import { sanitizeDbErrorMessage, sanitizeDbErrorStack } from '@org/trace-processors';

describe('sanitizeDbErrorMessage', () => {
  it.each([
    ['invalid input syntax for type integer: "abc123"', 'invalid input syntax for type integer: "?"'],
    ['invalid input syntax for type uuid: "alice@example.com"', 'invalid input syntax for type uuid: "?"'],
    ['value "99999999999" is out of range for type integer', 'value "?" is out of range for type integer'],
    ['syntax error at or near "\'secret\'"', 'syntax error at or near "?"'],
    ['invalid input value for enum mood: "ecstatic"', 'invalid input value for enum mood: "?"'],
    ['date/time field value out of range: "2024-13-45"', 'date/time field value out of range: "?"'],
    ["unterminated 'quote and then the rest", "unterminated '?"],
    ['Key (email)=(alice@example.com) already exists.', 'Key (email)=(?) already exists.'],
  ])('%s', (input, expected) => {
    expect(sanitizeDbErrorMessage(input)).toBe(expected);
  });

  it('keeps the names of schema objects, which make the error useful', () => {
    for (const m of [
      'relation "users" does not exist',
      'column "emali" does not exist',
      'duplicate key value violates unique constraint "users_email_key"',
      'null value in column "email" of relation "users" violates not-null constraint',
      'password authentication failed for user "app"',
      'division by zero',
      'connect ECONNREFUSED 127.0.0.1:5432',
    ]) {
      expect(sanitizeDbErrorMessage(m)).toBe(m);
    }
  });

  it('never throws, caps length', () => {
    expect(sanitizeDbErrorMessage(undefined)).toBe('');
    expect(sanitizeDbErrorMessage(42)).toBe('');
    expect(sanitizeDbErrorMessage('x'.repeat(100_000)).length).toBe(1024);
  });

  it('scrubs the message inside a stack trace and keeps the frames', () => {
    const err = new Error('invalid input syntax for type integer: "hunter2"');
    const out = sanitizeDbErrorStack(err.stack, err.message);
    expect(out).not.toContain('hunter2');
    expect(out).toContain('invalid input syntax for type integer: "?"');
    expect(out).toContain('error-sanitizer.test.ts');
    expect(sanitizeDbErrorStack('Error: value "x1" bad\n    at f (/a.js:1:1)')).toBe('Error: value "?" bad\n    at f (/a.js:1:1)');
  });
});
