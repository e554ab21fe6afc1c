import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../../lib/io/csv.ts';
import { openEndlessFile, openHandlesTo, tempDir } from '../helpers/files.ts';

async function parse(text: string, chunkBytes?: number) {
  const dir = await tempDir();
  const file = join(dir, 'f.csv');
  await writeFile(file, text);
  return lastValueFrom(readCsv(file, { chunkBytes }).pipe(toArray()));
}

describe('readCsv', () => {
  it('splits rows and fields and numbers lines from 1', async () => {
    const rows = await parse('a,b,c\n1,2,3\n');
    expect(rows).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', '2', '3'] },
    ]);
  });

  it('handles quoted fields with commas, escaped quotes and line breaks', async () => {
    const rows = await parse('name,note\n"Smith, J","said ""hi""\nthen left"\nlast,x');
    expect(rows).toEqual([
      { line: 1, fields: ['name', 'note'] },
      { line: 2, fields: ['Smith, J', 'said "hi"\nthen left'] },
      { line: 4, fields: ['last', 'x'] },
    ]);
  });

  it('reads CRLF line ends and a UTF-8 BOM the same as LF without BOM', async () => {
    const plain = await parse('a,b\n1,2\n3,4\n');
    const windows = await parse('\uFEFFa,b\r\n1,2\r\n3,4\r\n');
    expect(windows).toEqual(plain);
  });

  it('gives the same rows whatever the chunk size, even splitting CRLF, quotes and multi-byte characters', async () => {
    const text = '\uFEFFid,word\r\n1,"caf\u00e9, ""ok"""\r\n2,\u00fcber\r\n3,"x\r\ny"\r\n';
    const whole = await parse(text);
    for (const chunkBytes of [1, 2, 3, 5, 7]) {
      expect(await parse(text, chunkBytes)).toEqual(whole);
    }
    expect(whole[1].fields).toEqual(['1', 'caf\u00e9, "ok"']);
    expect(whole[3]).toEqual({ line: 4, fields: ['3', 'x\r\ny'] });
  });

  it('names file and line for an unclosed quote and for a stray quote', async () => {
    await expect(parse('a,b\n1,"open\n')).rejects.toThrow(/f\.csv:2: column 2: quoted field is not closed/);
    await expect(parse('a,b\n1,x"y\n')).rejects.toThrow(/f\.csv:2: column 2: stray quote/);
  });

  it('fails with a one-line error for a missing file', async () => {
    await expect(lastValueFrom(readCsv('/nonexistent/x.csv'))).rejects.toThrow('/nonexistent/x.csv: no such file');
  });

  it('closes the file when the subscriber unsubscribes early', async () => {
    const endless = await openEndlessFile(await tempDir(), 'a,b\n1,2\n');
    try {
      const first = await firstValueFrom(readCsv(endless.path).pipe(take(1)));
      expect(first.fields).toEqual(['a', 'b']);
      await new Promise((resolve) => setTimeout(resolve, 50));
      // only the writer's handle is left
      expect(await openHandlesTo(endless.path)).toBe(1);
    } finally {
      await endless.close();
    }
  });
});
