/**
 * A FeedFarm in a process of its own, for measurements where serving the feeds must not take CPU from the process
 * being measured, as a real feed server's work never does. Prints its base URL on the first line of stdout and
 * serves until stdin closes.
 */
import { FeedFarm } from '../lib/feed-farm';

const [feedCount, itemsPerFeed] = process.argv.slice(2).map(Number);
if (!Number.isInteger(feedCount) || !Number.isInteger(itemsPerFeed)) {
  throw new Error('usage: feed-farm-server.ts <feeds> <items per feed>');
}
const farm = await FeedFarm.start(feedCount as number, itemsPerFeed as number);
process.stdout.write(`${farm.baseUrl}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void farm.close().then(() => process.exit(0));
});
