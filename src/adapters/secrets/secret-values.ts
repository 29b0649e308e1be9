import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { describeSecretSource, type SecretSource, type SecretValues } from '../../core/ports/secret-values';

export interface AwsSecretValuesOptions {
  secretsManager: SecretsManagerClient;
  ssm: SSMClient;
}

/** A value the deploy named but that cannot be used as it is: retrying will not help until someone fixes it. */
export class SecretValueError extends Error {
  override name = 'SecretValueError';
}

/** The service's error code and message: SSM answers ParameterNotFound with no message at all. */
function serviceError(source: SecretSource, error: unknown): Error {
  if (error instanceof SecretValueError || !(error instanceof Error)) return error as Error;
  const message = error.message && error.message !== 'UnknownError' ? `: ${error.message}` : '';
  return new Error(`${describeSecretSource(source)}: ${error.name}${message}`);
}

async function readOnce(source: SecretSource, clients: AwsSecretValuesOptions): Promise<string> {
  try {
    return await readValue(source, clients);
  } catch (error) {
    throw serviceError(source, error);
  }
}

async function readValue(source: SecretSource, clients: AwsSecretValuesOptions): Promise<string> {
  let value: string | undefined;
  if ('secret' in source) {
    const answer = await clients.secretsManager.send(new GetSecretValueCommand({ SecretId: source.secret }));
    // A binary secret has no SecretString; channels need text (a URL, an HMAC key).
    value = answer.SecretString;
  } else {
    const answer = await clients.ssm.send(new GetParameterCommand({ Name: source.parameter, WithDecryption: true }));
    if (answer.Parameter?.Type !== 'SecureString') {
      // A String parameter is readable by anyone with ssm:GetParameter* on the account: not a place for a secret.
      throw new SecretValueError(`${describeSecretSource(source)} is not a SecureString`);
    }
    value = answer.Parameter.Value;
  }
  const trimmed = value?.trim();
  if (!trimmed) throw new SecretValueError(`${describeSecretSource(source)} holds no text value`);
  return trimmed;
}

/**
 * Secrets Manager and SSM through the real SDK clients. Each source is read once and kept for the life of the
 * container (a cold start reads it again, so a rotated value arrives within the hour or so Lambda keeps one
 * warm); a failed read is not kept, so the next delivery tries again.
 */
export function createAwsSecretValues(clients: AwsSecretValuesOptions): SecretValues {
  const cache = new Map<string, Promise<string>>();
  return {
    read(source) {
      const key = JSON.stringify(source);
      let pending = cache.get(key);
      if (!pending) {
        pending = readOnce(source, clients).catch((error: unknown) => {
          cache.delete(key);
          throw error;
        });
        cache.set(key, pending);
      }
      return pending;
    },
  };
}
