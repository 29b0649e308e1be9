import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { explainAwsError } from '../../../src/cli/aws-errors';
import { runCli } from '../../support/run-cli';

const AWS_VARIABLES = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'STORYWATCH_TABLE',
  'STORYWATCH_DYNAMODB_ENDPOINT',
];

describe('the CLI against AWS on a machine set up for nothing', () => {
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    for (const name of AWS_VARIABLES) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
    // A machine with no AWS setup at all: no config files, and no instance metadata service to ask.
    process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
  });
  afterEach(() => {
    for (const name of AWS_VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('names the missing region and how to give it', async () => {
    const result = await runCli(['stances', '--table', 'StorywatchTable']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'storywatch stances: no AWS region for table StorywatchTable: pass --region (e.g. --region eu-west-1) or set AWS_REGION.\n',
    );
  });

  it('names the missing credentials and the ways to supply them', async () => {
    const result = await runCli(['alerts', '--table', 'StorywatchTable', '--region', 'eu-west-1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^storywatch alerts: no AWS credentials found\. Set AWS_PROFILE .* AWS_ACCESS_KEY_ID/,
    );
  });

  it('names the table that does not exist, with the region and where its name comes from', () => {
    const error = new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} });
    const message = explainAwsError(error, { options: { table: 'StorywatchTable', region: 'eu-west-1' } }, {});
    expect(message).toBe(
      'table StorywatchTable does not exist in eu-west-1: deploy the stacks (npx cdk deploy --all) and pass the ' +
        'TableName output of StorywatchData with --table, or check --region.',
    );
  });

  it('leaves other errors as they are', () => {
    expect(explainAwsError(new Error('disk full'), { options: {} }, {})).toBeNull();
  });
});
