import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalNotifier } from '../../../src/adapters/local/index';
import { DEMO_TIMELINE, demoItemGuid } from '../../../src/demo/timeline';
import { type DemoResult, runDemo } from '../../../src/local/demo';

interface DemoRun {
  result: DemoResult;
  printed: string;
  alertLines: string[];
}

const scratch = mkdtempSync(join(tmpdir(), 'storywatch-demo-test-'));
let first: DemoRun;
let second: DemoRun;

async function runOnce(name: string): Promise<DemoRun> {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const alertsFile = join(scratch, `${name}-alerts.jsonl`);
  const result = await runDemo({
    dataDir: null,
    reportPath: join(scratch, `${name}.html`),
    fresh: true,
    notifier: createLocalNotifier({ file: alertsFile, out: new PassThrough() }),
    out,
  });
  const alertLines = readFileSync(alertsFile, 'utf8').split('\n').filter(Boolean);
  return { result, printed: chunks.join(''), alertLines };
}

function guidOf(slug: string): string {
  const item = DEMO_TIMELINE.items.find((candidate) => candidate.slug === slug);
  if (!item) throw new Error(`no demo item ${slug}`);
  return demoItemGuid(item);
}

beforeAll(async () => {
  first = await runOnce('first');
  second = await runOnce('second');
}, 120_000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('storywatch demo', () => {
  it('produces exactly the planned stance changes, in order, each caused by its planned item', () => {
    const actual = first.result.stanceChanges.map(({ party, from, to, itemId }) => ({ party, from, to, itemId }));
    const planned = DEMO_TIMELINE.plannedChanges.map(({ party, from, to, causeSlug }) => ({
      party,
      from,
      to,
      itemId: guidOf(causeSlug),
    }));
    expect(planned.length).toBeGreaterThanOrEqual(3);
    expect(actual).toEqual(planned);
  });

  it('does not let the hedged analyst headline move any stance', () => {
    const hedged = DEMO_TIMELINE.items.filter((item) => item.role === 'hedged').map(demoItemGuid);
    expect(hedged.length).toBeGreaterThan(0);
    const analyzed = new Set([...first.result.followUpIds, ...first.result.otherIds]);
    for (const id of hedged) expect(analyzed.has(id)).toBe(true);
    const causes = first.result.stanceChanges.map((change) => change.itemId);
    for (const id of hedged) expect(causes).not.toContain(id);
  });

  it('classifies none of the distractors (other ceasefires, war news, unrelated news) as follow-ups', () => {
    const distractors = DEMO_TIMELINE.items.filter((item) => item.role === 'distractor').map(demoItemGuid);
    expect(distractors.length).toBeGreaterThanOrEqual(8);
    for (const id of distractors) {
      expect(first.result.followUpIds).not.toContain(id);
      expect(first.result.otherIds).toContain(id);
    }
  });

  it('analyzes every item of the timeline exactly once', () => {
    const analyzed = [...first.result.followUpIds, ...first.result.otherIds].sort();
    expect(analyzed).toEqual(DEMO_TIMELINE.items.map(demoItemGuid).sort());
  });

  it('ends with the stances the planned changes lead to', () => {
    const finalLabel = (party: string) => first.result.finalStances.find((state) => state.party === party)?.label;
    for (const change of DEMO_TIMELINE.plannedChanges) {
      const later = DEMO_TIMELINE.plannedChanges.filter((other) => other.party === change.party).at(-1);
      expect(finalLabel(change.party)).toBe(later?.to);
    }
  });

  it('exercises conditional GET: after the first poll every request carries validators and most get a 304', () => {
    const polls = first.result.steps * DEMO_TIMELINE.outlets.length;
    expect(first.result.feedResponses.full + first.result.feedResponses.notModified).toBe(polls);
    expect(first.result.feedResponses.notModified).toBeGreaterThan(first.result.feedResponses.full);
    expect(first.result.feedRequests.total).toBe(polls);
    expect(first.result.feedRequests.conditional).toBe(polls - DEMO_TIMELINE.outlets.length);
  });

  it('sends every alert it creates through the notifier, once', () => {
    const created = first.result.stanceChanges.length + first.result.conditionChanges;
    expect(first.result.alertsSent).toBe(created);
    expect(first.result.alertsFailed).toBe(0);
    const ids = first.alertLines.map((line) => (JSON.parse(line) as { alertId: string }).alertId);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(ids).toHaveLength(created);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('prints each stance change with its quote and source, and ends with the stance table and report path', () => {
    expect(first.printed).toMatch(/! russia: conditional → opposes \(".+", northbridge-wire\.example\.org\)/);
    expect(first.printed).toMatch(/Stances on 2025-08-20:\n {2}party +stance/);
    expect(first.printed).toContain(`report: ${join(scratch, 'first.html')}`);
  });

  it('gives the same follow-ups, stance changes, alerts and report on a second run', () => {
    expect(second.result.followUpIds).toEqual(first.result.followUpIds);
    expect(second.result.stanceChanges).toEqual(first.result.stanceChanges);
    const alertIds = (lines: string[]) => lines.map((line) => (JSON.parse(line) as { alertId: string }).alertId);
    expect(alertIds(second.alertLines)).toEqual(alertIds(first.alertLines));
    expect(second.result.reportHtml).toBe(first.result.reportHtml);
    // Only the loopback ports and the report file name may differ between the two transcripts.
    const normalize = (text: string) =>
      text.replaceAll(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>').replaceAll(/(first|second)\.html/g, '<run>.html');
    expect(normalize(second.printed)).toBe(normalize(first.printed));
  });
});
