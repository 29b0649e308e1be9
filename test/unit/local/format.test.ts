import { describe, expect, it } from 'vitest';
import { describeStanceChange, oneLine } from '../../../src/local/format';
import { sampleAlert } from '../../support/channel-alerts';

describe('a quote on one terminal line', () => {
  it('folds line breaks and runs of spaces into single spaces', () => {
    expect(oneLine('  Moscow\n\twill   not\r\naccept ', 80)).toBe('Moscow will not accept');
  });

  it('is cut at its limit in characters with an ellipsis, an emoji at the cut kept whole', () => {
    expect(oneLine(`${'a'.repeat(8)}😀 and more`, 10)).toBe(`${'a'.repeat(8)}😀…`);
  });

  it('is how a stance change line quotes its evidence: 110 characters at most', () => {
    const quote = `${'word '.repeat(30)}\nend`;
    const alert = sampleAlert({ evidence: { ...sampleAlert().evidence, quote } });
    // 109 characters are 21 words and spaces and a 22nd word; the ellipsis makes 110.
    expect(describeStanceChange(alert)).toContain(`("${'word '.repeat(22).trim()}…", news.example.org)`);
  });
});
