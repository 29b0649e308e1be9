import { clipText } from '../core/text-limits';
import type { AlertText } from './alert-text';

/** Adaptive Card text is markdown: a quote from a feed must not turn into links or formatting. */
export function escapeCardMarkdown(value: string): string {
  return value.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, (character) => `\\${character}`);
}

/**
 * A Teams Workflows ("When a Teams webhook request is received") message: one Adaptive Card attachment with
 * the headline, the facts, the quote and the source link as an action.
 */
export function teamsMessage(text: AlertText): Record<string, unknown> {
  const safe = (value: string, max: number) => escapeCardMarkdown(clipText(value, max));
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: safe(text.headline, 200), weight: 'Bolder', size: 'Medium', wrap: true },
    {
      type: 'FactSet',
      facts: [
        { title: 'Party', value: safe(text.partyName, 200) },
        { title: 'Change', value: safe(text.change, 400) },
        { title: 'Severity', value: text.severity },
        { title: 'Story', value: safe(text.storyTitle, 200) },
        { title: 'Source', value: safe(text.source, 200) },
      ],
    },
  ];
  if (text.quote) body.push({ type: 'TextBlock', text: safe(`“${text.quote}”`, 2000), wrap: true, isSubtle: true });
  const card = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    ...(text.link ? { actions: [{ type: 'Action.OpenUrl', title: 'Open the source', url: text.link }] } : {}),
  };
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }],
  };
}
