import { SqlLexer, TokenKind } from '@org/trace-processors';

function lex(sql: string): Array<[TokenKind, string]> {
  const lexer = new SqlLexer(sql);
  const out: Array<[TokenKind, string]> = [];
  for (let i = 0; i < 10_000; i++) {
    const kind = lexer.next();
    if (kind === TokenKind.End) return out;
    out.push([kind, sql.slice(lexer.start, lexer.end)]);
    if (kind === TokenKind.Unterminated) return out;
  }
  throw new Error('lexer did not terminate');
}

describe('SqlLexer', () => {
  it('classifies every literal form PostgreSQL accepts', () => {
    const cases: Array<[string, TokenKind]> = [
      ["'it''s'", TokenKind.String],
      ["E'a\\'b'", TokenKind.String],
      ["e'\\\\'", TokenKind.String],
      ["N'x'", TokenKind.String],
      ["B'0101'", TokenKind.String],
      ["X'fF'", TokenKind.String],
      ["U&'d\\0061t'", TokenKind.String],
      ['$$a $ b$$', TokenKind.String],
      ['$fn$ select $$x$$ $fn$', TokenKind.String],
      ['42', TokenKind.Number],
      ['4.2', TokenKind.Number],
      ['.5', TokenKind.Number],
      ['1.', TokenKind.Number],
      ['1e5', TokenKind.Number],
      ['1.5E-3', TokenKind.Number],
      ['0x1F', TokenKind.Number],
      ['0o17', TokenKind.Number],
      ['0b101', TokenKind.Number],
      ['1_000_000', TokenKind.Number],
      ['$1', TokenKind.Param],
      ['$12', TokenKind.Param],
      ['"Mixed Case"', TokenKind.QuotedIdent],
      ['"a""b"', TokenKind.QuotedIdent],
      ['U&"d\\0061t"', TokenKind.QuotedIdent],
      ['users', TokenKind.Word],
      ['a$b', TokenKind.Word],
      ['café', TokenKind.Word],
    ];
    for (const [sql, kind] of cases) {
      expect([sql, lex(sql)]).toEqual([sql, [[kind, sql]]]);
    }
  });

  it('skips line comments, nested block comments and whitespace, and reports the separation', () => {
    const lexer = new SqlLexer('a/* x /* y */ z */b -- c\n c');
    expect(lexer.next()).toBe(TokenKind.Word);
    expect(lexer.spaceBefore).toBe(false);
    expect(lexer.next()).toBe(TokenKind.Word);
    expect(lexer.spaceBefore).toBe(true);
    expect(lexer.next()).toBe(TokenKind.Word);
    expect(lexer.next()).toBe(TokenKind.End);
    expect(lexer.commentCount).toBe(2);
  });

  it('splits operators the way the server does', () => {
    expect(lex('a=-1')).toEqual([
      [TokenKind.Word, 'a'],
      [TokenKind.Operator, '='],
      [TokenKind.Operator, '-'],
      [TokenKind.Number, '1'],
    ]);
    expect(lex("j->>'k'")[1]).toEqual([TokenKind.Operator, '->>']);
    expect(lex('a@-1')[1]).toEqual([TokenKind.Operator, '@-']);
    expect(lex('a<>b')[1]).toEqual([TokenKind.Operator, '<>']);
    // An operator stops before a comment start.
    expect(lex('a+--c\nb').map((t) => t[1])).toEqual(['a', '+', 'b']);
    expect(lex('a*/*c*/b').map((t) => t[1])).toEqual(['a', '*', 'b']);
  });

  it('lexes punctuation, casts and parameters', () => {
    expect(lex('f($1::int[], t.c)').map((t) => t[0])).toEqual([
      TokenKind.Word,
      TokenKind.OpenParen,
      TokenKind.Param,
      TokenKind.Cast,
      TokenKind.Word,
      TokenKind.OpenBracket,
      TokenKind.CloseBracket,
      TokenKind.Comma,
      TokenKind.Word,
      TokenKind.Dot,
      TokenKind.Word,
      TokenKind.CloseParen,
    ]);
  });

  it('reports unterminated constructs from where they start to the end', () => {
    for (const sql of ["select 'abc", 'select "abc', 'select $$abc', 'select $q$abc$$', "select E'abc\\'", 'select /* a /* b */', "select U&'x"]) {
      const tokens = lex(sql);
      const last = tokens[tokens.length - 1];
      expect([sql, last[0]]).toEqual([sql, TokenKind.Unterminated]);
      expect(last[1].startsWith('select')).toBe(false);
    }
  });
});
