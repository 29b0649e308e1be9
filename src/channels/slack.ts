import { clipText } from '../core/text-limits';
import type { AlertText } from './alert-text';

/**
 * A Slack incoming-webhook message in Block Kit. Every text is plain_text, so a quote from a feed can neither
 * format, link nor mention (`<!channel>`); the source link is a button. Lengths stay within Slack's block limits.
 */
export function slackMessage(text: AlertText): Record<string, unknown> {
  const plain = (value: string, max: number) => ({ type: 'plain_text', text: clipText(value, max), emoji: false });
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: plain(text.headline, 150) },
    {
      type: 'section',
      fields: [
        plain(`Party: ${text.partyName}`, 2000),
        plain(`Change: ${text.change}`, 2000),
        plain(`Severity: ${text.severity}`, 2000),
        plain(`Story: ${text.storyTitle}`, 2000),
      ],
    },
  ];
  if (text.quote) blocks.push({ type: 'section', text: plain(`“${text.quote}”`, 3000) });
  const context = [plain(`Source: ${text.source}${text.published ? `, ${text.published}` : ''}`, 2000)];
  blocks.push({ type: 'context', elements: context });
  if (text.link) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: plain('Open the source', 75), url: clipText(text.link, 3000) }],
    });
  }
  return { text: clipText(`${text.headline} (${text.severity})`, 3000), blocks };
}
