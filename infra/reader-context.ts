import type { StorywatchConfig } from './config';
import { parseMaybeJson, readInteger } from './context-values';

/** Model ids look like `amazon.nova-lite-v1:0`, optionally behind a profile geography (`us.`, `eu.`, `global.`). */
const MODEL_ID_PATTERN = /^(?:(?:us|eu|apac|us-gov|global)\.)?[a-z0-9-]+\.[a-z0-9.:-]+$/;

export function readReaderContext(
  readContext: (key: string) => unknown,
  problems: string[],
): Pick<StorywatchConfig, 'reader' | 'bedrockModelId' | 'readerItemsPerDay' | 'readerTokensPerDay'> {
  const rawReader = parseMaybeJson(readContext('reader')) ?? 'rules';
  const reader = rawReader === 'bedrock' ? 'bedrock' : 'rules';
  if (rawReader !== 'rules' && rawReader !== 'bedrock') {
    problems.push(`reader must be "rules" or "bedrock", got ${JSON.stringify(rawReader)}`);
  }
  const rawModel = parseMaybeJson(readContext('bedrockModelId'));
  let bedrockModelId: string | null = null;
  if (rawModel !== undefined && rawModel !== null && rawModel !== '') {
    if (typeof rawModel === 'string' && MODEL_ID_PATTERN.test(rawModel)) bedrockModelId = rawModel;
    else
      problems.push(`bedrockModelId must be a Bedrock model or inference profile id, got ${JSON.stringify(rawModel)}`);
  }
  if (reader === 'bedrock' && bedrockModelId === null) {
    problems.push('reader=bedrock needs bedrockModelId (e.g. -c bedrockModelId=amazon.nova-lite-v1:0)');
  }
  const budget = (key: string) => {
    const raw = readContext(key);
    return raw === undefined || raw === null || raw === '' ? null : readInteger(raw, key, 0, 1, 100_000_000, problems);
  };
  return {
    reader,
    bedrockModelId,
    readerItemsPerDay: budget('readerItemsPerDay'),
    readerTokensPerDay: budget('readerTokensPerDay'),
  };
}
