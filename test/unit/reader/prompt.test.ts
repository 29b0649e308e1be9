import { describe, expect, it } from 'vitest';
import { loadStory } from '../../../src/detection/index';
import { buildStoryPrompt, PROMPT_TEMPLATE_VERSION } from '../../../src/reader/prompt';
import { answerSchema } from '../../../src/reader/wire';
import { FIXTURE_STORIES } from '../../support/detection-helpers';

const ceasefire = loadStory('ceasefire-2025');
const portStrike = loadStory('port-strike-2031', FIXTURE_STORIES);

describe('the prompt built from a story file', () => {
  it('carries the title, description, seed, parties with aliases and speakers, and the tracked conditions', () => {
    const { system } = buildStoryPrompt(portStrike);
    expect(system).toContain(portStrike.title);
    expect(system).toContain(portStrike.description);
    expect(system).toContain(portStrike.seedText);
    for (const party of portStrike.parties) {
      expect(system).toContain(`"${party.id}" = ${party.name}`);
      for (const alias of party.aliases) expect(system).toContain(alias.replace(/\*/g, '…'));
      for (const speaker of party.selfSpeakers) expect(system).toContain(speaker);
    }
    for (const condition of portStrike.conditions) expect(system).toContain(`"${condition.id}"`);
    expect(system).toContain('"supports"');
    expect(system).toContain('"conditional"');
    expect(system).toContain('"opposes"');
    // Nothing of the other story leaks into an invented one.
    expect(system).not.toMatch(/Kremlin|ceasefire|Ukraine/i);
  });

  it("restricts the answer schema to the story's own party and condition ids", () => {
    const schema = JSON.stringify(answerSchema(buildStoryPrompt(portStrike)));
    expect(schema).toContain(JSON.stringify(['union', 'employers', 'city']));
    expect(schema).toContain(JSON.stringify(portStrike.conditions.map((condition) => condition.id)));
    expect(schema).not.toContain('russia');
  });

  it('is versioned by template and content: a changed story gets a new version, the same story the same one', () => {
    const first = buildStoryPrompt(ceasefire);
    expect(first.version).toMatch(new RegExp(`^${PROMPT_TEMPLATE_VERSION}\\.[0-9a-f]{10}$`));
    expect(buildStoryPrompt(loadStory('ceasefire-2025')).version).toBe(first.version);
    expect(buildStoryPrompt({ ...ceasefire, description: `${ceasefire.description} Also Geneva.` }).version).not.toBe(
      first.version,
    );
    expect(buildStoryPrompt(portStrike).version).not.toBe(first.version);
  });

  it('tells the model a story without conditions has none to give', () => {
    const { system, conditionIds } = buildStoryPrompt({ ...portStrike, conditions: [] });
    expect(conditionIds).toEqual([]);
    expect(system).toContain('"conditions" is always []');
  });
});
