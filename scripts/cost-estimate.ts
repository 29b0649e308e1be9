/**
 * The monthly cost of each monitoring level, counted from the synthesized stacks and priced at us-east-1 list
 * prices (scripts/lib/cost-estimate.ts states them and their date). The README's cost table is this output;
 * test/infra/cost-estimate.test.ts fails when the two differ.
 *
 *   npx tsx scripts/cost-estimate.ts           # print the table
 *   npx tsx scripts/cost-estimate.ts --write   # and put it into README.md between its markers
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../infra/handlers';
import { costTable, withTable } from './lib/cost-estimate';

const { values } = parseArgs({ options: { write: { type: 'boolean', default: false } } });
const table = costTable();
console.log(table);
if (values.write) {
  const readme = join(PROJECT_ROOT, 'README.md');
  writeFileSync(readme, withTable(readFileSync(readme, 'utf8'), table));
  console.error(`wrote the table into ${readme}`);
}
