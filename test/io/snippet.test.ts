import { describe, expect, it } from 'vitest';
import { formatBytes, quoteSnippet } from '../../lib/io/snippet.ts';

describe('quoteSnippet', () => {
  it('quotes short text as it is', () => {
    expect(quoteSnippet('pixel1')).toBe("'pixel1'");
  });

  it('cuts long text at the limit and says so', () => {
    expect(quoteSnippet('x'.repeat(7000))).toBe(`'${'x'.repeat(80)}…'`);
    expect(quoteSnippet('abcdef', 3)).toBe("'abc…'");
  });

  it('escapes NUL, terminal escapes, DEL and invisible separators', () => {
    expect(quoteSnippet('a\u0000b\u001b[31mc\u007fd\u2028e\ufeff')).toBe("'a\\x00b\\x1b[31mc\\x7fd\\u2028e\\ufeff'");
  });
});

describe('formatBytes', () => {
  it('uses MiB and KiB where they are whole, bytes otherwise', () => {
    expect(formatBytes(4 << 20)).toBe('4 MiB');
    expect(formatBytes(8192)).toBe('8 KiB');
    expect(formatBytes(1000)).toBe('1,000 bytes');
  });
});
