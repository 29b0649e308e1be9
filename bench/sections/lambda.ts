import { BUNDLE_SIZE_TARGET_BYTES, IMPORT_TIME_TARGET_MS, measureBundles } from '../../scripts/measure-bundles';
import { type BenchSection, row, single } from '../lib/report';
import { summarize } from '../lib/stats';

/** Each Lambda bundle built the way the CDK construct builds it: minified size and import time in a fresh Node. */
export const lambdaSection: BenchSection = async ({ runs }) => {
  const measurements = await measureBundles({ runs });
  return measurements.flatMap((measured) => [
    row({
      section: 'lambda',
      name: `${measured.handler} bundle (minified)`,
      unit: 'KB',
      value: single(measured.bytes / 1024),
      target: `< ${BUNDLE_SIZE_TARGET_BYTES / 1024} KB`,
      meetsTarget: measured.bytes < BUNDLE_SIZE_TARGET_BYTES,
    }),
    row({
      section: 'lambda',
      name: `${measured.handler} import (cold init)`,
      unit: 'ms',
      value: summarize(measured.importRunsMs),
      target: `< ${IMPORT_TIME_TARGET_MS} ms`,
      meetsTarget: summarize(measured.importRunsMs).median < IMPORT_TIME_TARGET_MS,
    }),
    row({
      section: 'lambda',
      name: `${measured.handler} import of the runtime's AWS SDK alone`,
      unit: 'ms',
      value: single(measured.externalImportMs),
    }),
  ]);
};
