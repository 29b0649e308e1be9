import { DEFAULT_TABLE_NAME } from '../adapters/dynamodb/schema';
import { type CommandContext, stringOption } from './command';

type Env = Record<string, string | undefined>;

/**
 * The AWS SDK's errors say what failed, not what to set up. For the errors a first run against AWS meets, this names
 * the missing piece (credentials, region, table, permission) and the flag or variable that supplies it.
 * Returns null for every other error, which is then shown as it is.
 */
export function explainAwsError(
  error: unknown,
  context: Pick<CommandContext, 'options'>,
  env: Env = process.env,
): string | null {
  if (!(error instanceof Error)) return null;
  const name = error.name;
  const table = stringOption(context as CommandContext, 'table') ?? env.STORYWATCH_TABLE ?? DEFAULT_TABLE_NAME;
  const region = stringOption(context as CommandContext, 'region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(error.message)) {
    return (
      'no AWS credentials found. Set AWS_PROFILE to a profile of ~/.aws/config (after `aws sso login` or ' +
      '`aws configure`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; for a local store, drop --table/--region.'
    );
  }
  if (/region is missing/i.test(error.message)) {
    return `no AWS region for table ${table}: pass --region (e.g. --region eu-west-1) or set AWS_REGION.`;
  }
  if (name === 'ResourceNotFoundException') {
    return (
      `table ${table} does not exist${region ? ` in ${region}` : ''}: deploy the stacks (npx cdk deploy --all) ` +
      'and pass the TableName output of StorywatchData with --table, or check --region.'
    );
  }
  if (['UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException'].includes(name)) {
    return `AWS refused the credentials (${name}): they are wrong or expired; renew them (e.g. aws sso login).`;
  }
  if (name === 'AccessDeniedException' || name === 'AuthorizationErrorException') {
    return `the AWS credentials in use may not do this (${error.message}); use a role that may read table ${table}.`;
  }
  return null;
}
