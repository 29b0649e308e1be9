import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import Parser from 'rss-parser';

/**
 * The afternoon implementation we compare against: rss-parser's parseURL feed by feed, a keyword filter on
 * "ceasefire", one DynamoDB put per item. No conditional GET, no dedup, no isolation beyond a try/catch.
 */
export async function runNaiveCycle(feedUrls: string[], client: DynamoDBClient, tableName: string) {
  const parser = new Parser();
  let items = 0;
  let followUps = 0;
  let failures = 0;
  for (const url of feedUrls) {
    try {
      const feed = await parser.parseURL(url);
      for (const item of feed.items) {
        items += 1;
        const text = `${item.title ?? ''} ${item.contentSnippet ?? ''}`.toLowerCase();
        const followUp = text.includes('ceasefire') || text.includes('truce');
        if (followUp) followUps += 1;
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              pk: { S: `NAIVE#${item.guid ?? item.link ?? item.title ?? ''}` },
              sk: { S: 'ITEM' },
              title: { S: item.title ?? '' },
              followUp: { BOOL: followUp },
            },
          }),
        );
      }
    } catch {
      failures += 1;
    }
  }
  return { items, followUps, failures };
}

/** The keyword filter alone, for the detection-quality comparison. */
export function naiveIsFollowUp(title: string, description: string): boolean {
  const text = `${title} ${description}`.toLowerCase();
  return text.includes('ceasefire') || text.includes('cease-fire') || text.includes('truce');
}
