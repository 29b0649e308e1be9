import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../support/infra-build';

interface PluginReport {
  pluginName: string;
  conclusion: string;
  violations: { ruleName: string }[];
  suppressedViolations: { ruleName: string; reason: string; acknowledgedId: string }[];
}

let outdir: string;
let reports: PluginReport[];

/**
 * Synthesizes the app the way `cdk synth` does (bundling aside) and reads the policy-validation report CDK writes:
 * it holds both rule packs' findings after the acknowledgements in infra/accepted-findings.ts were applied.
 */
beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'storywatch-rules-'));
  const { app } = buildApp({ alertPhoneNumbers: ['+14155550100'] }, { outdir, ruleChecks: true });
  app.synth();
  reports = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')).pluginReports;
}, 240_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe('template rule packs', () => {
  it('runs cdk-nag AwsSolutions and the Control Tower Guard rules on every synth', () => {
    expect(reports.map((report) => report.pluginName).sort()).toEqual(['AwsSolutions', 'cdk-validator-cfnguard']);
  });

  it('leaves no finding of either pack unacknowledged', () => {
    for (const report of reports) {
      expect({ plugin: report.pluginName, open: report.violations.map((v) => v.ruleName) }).toEqual({
        plugin: report.pluginName,
        open: [],
      });
      expect(report.conclusion).toBe('success');
    }
  });

  it('accepts a public URL and public invoke for the WebSub callback only', () => {
    const acknowledged = reports.flatMap((report) => report.suppressedViolations).map((v) => v.acknowledgedId);
    const count = (id: string) => acknowledged.filter((entry) => entry === `cdk-validator-cfnguard::${id}`).length;
    expect(count('lambda_function_url_auth_check')).toBe(1);
    expect(count('lambda_function_public_access_prohibited_check')).toBe(2);
  });

  it('gives every acknowledged finding a written reason', () => {
    const acknowledged = reports.flatMap((report) => report.suppressedViolations);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const finding of acknowledged) {
      expect(finding.reason.length, finding.acknowledgedId).toBeGreaterThan(60);
    }
  });
});
