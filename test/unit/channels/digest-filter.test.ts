import { describe, expect, it } from 'vitest';
import {
  DIGEST_FILTER_ATTRIBUTE,
  digestFilterKey,
  digestFilterPolicy,
  distinctDigestFilters,
} from '../../../src/channels/digest-filter';
import { digestTopicFilters, ENV } from '../../../src/config/env';

describe('the filter of a daily SNS digest', () => {
  it('has one key per filter, however its lists are written', () => {
    expect(digestFilterKey({})).toBe('all');
    expect(digestFilterKey({ parties: [], severities: [] })).toBe('all');
    expect(digestFilterKey({ parties: ['us', 'russia', 'us'] })).toBe('parties=russia,us');
    expect(digestFilterKey({ severities: ['high'], parties: ['ukraine'] })).toBe('parties=ukraine;severities=high');
    expect(digestFilterKey({ severities: ['low', 'high'] })).toBe('severities=high,low');
  });

  it('keeps one filter per key, in key order, and a policy that takes only its own key', () => {
    expect(
      distinctDigestFilters([{ parties: ['us', 'russia'] }, {}, { parties: ['russia', 'us'] }, { parties: [] }]),
    ).toEqual([{}, { parties: ['russia', 'us'] }]);
    expect(digestFilterPolicy({ severities: ['high'] })).toEqual({ [DIGEST_FILTER_ATTRIBUTE]: ['severities=high'] });
    expect(digestFilterPolicy({})).toEqual({ [DIGEST_FILTER_ATTRIBUTE]: ['all'] });
  });

  it('is read back from the digest function’s environment, one unfiltered digest without it', () => {
    const env = (value: string | undefined) => ({ [ENV.digestTopicFilters]: value });
    expect(digestTopicFilters(env(undefined))).toEqual([{}]);
    expect(digestTopicFilters(env('[{"parties":["ukraine"]},{},{"parties":["ukraine"]}]'))).toEqual([
      {},
      { parties: ['ukraine'] },
    ]);
    for (const bad of ['{}', '[]', '[{"parties":"ukraine"}]', '[{"severities":["urgent"]}]', '[{"party":[]}]', 'x']) {
      expect(() => digestTopicFilters(env(bad))).toThrow(/STORYWATCH_DIGEST_FILTERS must be a JSON list/);
    }
  });
});
