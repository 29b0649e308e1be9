import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type InputLine, readBoundedLines } from '../../../src/ingestion/line-reader';

async function linesOf(chunks: Array<Buffer | string>, maxLineBytes: number): Promise<InputLine[]> {
  const lines: InputLine[] = [];
  async function* source() {
    yield* chunks;
  }
  for await (const line of readBoundedLines(source(), maxLineBytes)) lines.push(line);
  return lines;
}

describe('readBoundedLines', () => {
  it('numbers lines, drops CR of CRLF endings and reads a last line without a line break', async () => {
    expect(await linesOf(['one\r\ntwo\n\nthree'], 100)).toEqual([
      { lineNumber: 1, text: 'one' },
      { lineNumber: 2, text: 'two' },
      { lineNumber: 3, text: '' },
      { lineNumber: 4, text: 'three' },
    ]);
  });

  it('joins a character split between two chunks before decoding it', async () => {
    const bytes = Buffer.from('Київ\n', 'utf8');
    expect(await linesOf([bytes.subarray(0, 3), bytes.subarray(3)], 100)).toEqual([{ lineNumber: 1, text: 'Київ' }]);
  });

  it('drops a byte-order mark at the start of the first line only', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    expect(await linesOf([Buffer.concat([bom, Buffer.from('a\n'), bom, Buffer.from('b')])], 100)).toEqual([
      { lineNumber: 1, text: 'a' },
      { lineNumber: 2, text: '\ufeffb' },
    ]);
  });

  it('reports a line over the limit by its size and keeps reading the lines after it', async () => {
    const lines = await linesOf(['ok\n', 'x'.repeat(30), 'x'.repeat(30), '\nafter\n'], 50);
    expect(lines).toEqual([
      { lineNumber: 1, text: 'ok' },
      { lineNumber: 2, text: null, bytes: 60 },
      { lineNumber: 3, text: 'after' },
    ]);
  });

  it('keeps a line of exactly the limit, also with a CRLF ending', async () => {
    expect(await linesOf([`${'y'.repeat(10)}\r\n${'z'.repeat(11)}\n`], 10)).toEqual([
      { lineNumber: 1, text: 'y'.repeat(10) },
      { lineNumber: 2, text: null, bytes: 11 },
    ]);
  });

  it('splits any text into the same lines however it is cut into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 8 }), { maxLength: 8 }),
        fc.nat(),
        async (parts, cut) => {
          const text = parts.join('\n');
          const bytes = Buffer.from(text, 'utf8');
          const at = bytes.length === 0 ? 0 : cut % bytes.length;
          const lines = await linesOf([bytes.subarray(0, at), bytes.subarray(at)], 1_000);
          const expected = text === '' ? [] : text.split('\n');
          if (text.endsWith('\n')) expected.pop();
          expect(lines.map((line) => line.text)).toEqual(expected.map((line) => line.replace(/\r$/, '')));
        },
      ),
      { seed: 18, numRuns: 200 },
    );
  });
});
