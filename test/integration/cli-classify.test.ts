import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'storywatch.mjs');
const FIXTURE_STORIES = join(ROOT, 'test', 'fixtures', 'detection', 'stories');

interface Run {
  child: ChildProcessWithoutNullStreams;
  nextLine(): Promise<string>;
  finish(): Promise<{ code: number | null; lines: string[]; stderr: string }>;
}

function startClassify(args: string[] = []): Run {
  const child = spawn(process.execPath, [BIN, 'classify', ...args], { cwd: ROOT });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    const waiter = waiting.shift();
    if (waiter) waiter(line);
    else lines.push(line);
  });
  return {
    child,
    nextLine: () => {
      const ready = lines.shift();
      return ready !== undefined ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
    finish: async () => {
      child.stdin.end();
      const [code] = (await once(child, 'close')) as [number | null];
      return { code, lines, stderr };
    },
  };
}

const followUpItem = {
  id: 'kyiv-accepts',
  title: 'Kyiv accepts 30-day ceasefire proposed by Washington',
  description: 'Zelensky said Ukraine was ready for a truce; the Kremlin insists on monitoring first.',
  link: 'https://news.example.test/kyiv-accepts',
  published: '2025-03-12T09:00:00Z',
  source: 'https://feeds.example.test/world.xml',
  tags: ['extra fields are ignored'],
};

describe('storywatch classify', () => {
  it('answers each line as it arrives, before stdin is closed', async () => {
    const run = startClassify();
    run.child.stdin.write(`${JSON.stringify(followUpItem)}\n`);
    const first = JSON.parse(await run.nextLine());
    expect(first.id).toBe('kyiv-accepts');
    run.child.stdin.write(`${JSON.stringify({ ...followUpItem, id: 'second' })}\n`);
    expect(JSON.parse(await run.nextLine()).id).toBe('second');
    const { code } = await run.finish();
    expect(code).toBe(0);
  });

  it('writes the stable output contract for a follow-up', async () => {
    const run = startClassify();
    run.child.stdin.write(`${JSON.stringify(followUpItem)}\n`);
    const result = JSON.parse(await run.nextLine());
    await run.finish();
    expect(result).toMatchObject({
      id: 'kyiv-accepts',
      storyId: 'ceasefire-2025',
      followUp: true,
      stances: { ukraine: 'supports', us: 'supports', russia: 'conditional' },
      conditions: ['monitoring'],
    });
    expect(result.score).toBeGreaterThanOrEqual(0.5);
    expect(result.reasons.length).toBeGreaterThan(0);
    expect(result.stanceDetails.map((stance: { party: string }) => stance.party).sort()).toEqual([
      'russia',
      'ukraine',
      'us',
    ]);
    expect(result.summary).toMatchObject({ itemId: 'kyiv-accepts', link: followUpItem.link });
  });

  it('reports a malformed line as an error line, carries on, and exits 1 at the end', async () => {
    const run = startClassify();
    run.child.stdin.write('{"id": "broken", "title": \n');
    run.child.stdin.write('["an", "array"]\n');
    run.child.stdin.write('{"title": "no id here"}\n');
    run.child.stdin.write('\n');
    run.child.stdin.write(`${JSON.stringify({ id: 'fine', title: 'Local bakery wins award' })}\n`);
    const { code, lines, stderr } = await run.finish();
    const parsed = lines.map((line) => JSON.parse(line));
    expect(parsed.slice(0, 3)).toEqual([
      { id: null, line: 1, error: expect.stringMatching(/^not valid JSON/) },
      { id: null, line: 2, error: 'not a JSON object' },
      { id: null, line: 3, error: '"id" is missing' },
    ]);
    expect(parsed[3]).toMatchObject({ id: 'fine', followUp: false, summary: null, stances: {} });
    expect(parsed).toHaveLength(4);
    expect(code).toBe(1);
    expect(stderr).toContain('3 malformed line(s)');
  });

  it('classifies against another story from another directory', async () => {
    const run = startClassify(['--story', 'port-strike-2031', '--stories-dir', FIXTURE_STORIES]);
    run.child.stdin.write(
      `${JSON.stringify({ id: 'ps', title: 'Dockworkers Union accepts wage deal, ending port strike' })}\n`,
    );
    const result = JSON.parse(await run.nextLine());
    await run.finish();
    expect(result).toMatchObject({
      id: 'ps',
      storyId: 'port-strike-2031',
      followUp: true,
      stances: { union: 'supports' },
    });
  });

  it('refuses an unknown story as a usage error naming the stories that exist', async () => {
    const run = startClassify(['--story', 'nope']);
    const { code, stderr, lines } = await run.finish();
    expect(code).toBe(2);
    expect(lines).toEqual([]);
    expect(stderr).toMatch(/unknown story "nope"; stories in .*: ceasefire-2025/);
  });

  it('keeps one output line per input line over a large input', async () => {
    const run = startClassify();
    const count = 3000;
    const body = Array.from({ length: count }, (_, index) =>
      JSON.stringify({ ...followUpItem, id: `item-${index}` }),
    ).join('\n');
    run.child.stdin.write(`${body}\n`);
    const { code, lines } = await run.finish();
    expect(code).toBe(0);
    expect(lines).toHaveLength(count);
    expect(JSON.parse(lines[count - 1] ?? '{}').id).toBe(`item-${count - 1}`);
  });

  it('reports a line over --max-line-bytes with its line number and classifies the lines after it', async () => {
    const run = startClassify(['--max-line-bytes', '4096']);
    run.child.stdin.write(`${JSON.stringify({ ...followUpItem, id: 'before' })}\n`);
    run.child.stdin.write(`${JSON.stringify({ ...followUpItem, id: 'huge', description: 'x'.repeat(50_000) })}\n`);
    run.child.stdin.write(`${JSON.stringify({ ...followUpItem, id: 'after' })}\r\n`);
    const { code, lines, stderr } = await run.finish();
    const parsed = lines.map((line) => JSON.parse(line));
    expect(parsed.map((record) => record.id)).toEqual(['before', null, 'after']);
    expect(parsed[1]).toEqual({ id: null, line: 2, error: expect.stringMatching(/over the 4096-byte limit/) });
    expect(code).toBe(1);
    expect(stderr).toContain('1 malformed line(s)');
  });

  it('reads a first line that starts with a UTF-8 byte-order mark', async () => {
    const run = startClassify();
    run.child.stdin.write(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${JSON.stringify(followUpItem)}\n`)]),
    );
    const { code, lines } = await run.finish();
    expect(code).toBe(0);
    expect(JSON.parse(lines[0] ?? '{}').id).toBe('kyiv-accepts');
  });

  it('cleans control and bidi characters out of the input text before it reaches the output', async () => {
    const run = startClassify();
    const hostile = {
      ...followUpItem,
      id: 'kyiv\u0007-accepts',
      title: `\u001b]0;owned\u0007Kyiv accepts \u202e30-day\u202c ceasefire proposed by Washington`,
    };
    run.child.stdin.write(`${JSON.stringify(hostile)}\n`);
    const { lines } = await run.finish();
    const result = JSON.parse(lines[0] ?? '{}');
    expect(result.id).toBe('kyiv-accepts');
    const printed = JSON.stringify(result);
    expect(printed).not.toMatch(/\\u001b|\\u0007|\u202e|\u202c/);
    expect(result.summary.title).toBe(']0;ownedKyiv accepts 30-day ceasefire proposed by Washington');
  });
});
