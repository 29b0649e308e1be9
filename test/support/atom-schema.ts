import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';

const schema = readFileSync(join(import.meta.dirname, '../fixtures/feeds-schema/atom.rng'), 'utf8');

/** Validates an Atom document against the test's RELAX NG grammar with libxml2 (xmllint, as WebAssembly). */
export async function atomSchemaErrors(xml: string): Promise<string[]> {
  const result = await validateXML({
    xml: { fileName: 'feed.atom', contents: xml },
    schema: { fileName: 'atom.rng', contents: schema },
    extension: 'relaxng',
  });
  return result.valid ? [] : result.errors.map((error) => error.rawMessage);
}
