import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsSecretValues } from '../../../src/adapters/secrets/secret-values';
import { loopbackSecretClients, type SecretEndpoint, startSecretEndpoint } from '../../support/secret-endpoint';

let endpoint: SecretEndpoint;
let clients: ReturnType<typeof loopbackSecretClients>;

beforeAll(async () => {
  endpoint = await startSecretEndpoint();
  clients = loopbackSecretClients(endpoint.endpoint);
});
afterAll(async () => {
  clients?.secretsManager.destroy();
  clients?.ssm.destroy();
  await endpoint?.close();
});

describe('secret values through the real Secrets Manager and SSM clients', () => {
  it('reads a secret string and a decrypted SecureString, each once', async () => {
    endpoint.secrets.set('storywatch/a', ' https://hooks.slack.com/services/T/B/x \n');
    endpoint.parameters.set('/storywatch/b', { value: 'hmac-key' });
    const values = createAwsSecretValues(clients);
    expect(await values.read({ secret: 'storywatch/a' })).toBe('https://hooks.slack.com/services/T/B/x');
    expect(await values.read({ parameter: '/storywatch/b' })).toBe('hmac-key');
    await values.read({ secret: 'storywatch/a' });
    await values.read({ parameter: '/storywatch/b' });
    expect(endpoint.requests.map((request) => [request.target, request.name])).toEqual([
      ['secretsmanager.GetSecretValue', 'storywatch/a'],
      ['AmazonSSM.GetParameter', '/storywatch/b'],
    ]);
  });

  it('refuses a plain String parameter and an empty value, and names the source of a missing one', async () => {
    endpoint.parameters.set('/storywatch/plain', { value: 'x', type: 'String' });
    endpoint.secrets.set('storywatch/empty', '  ');
    const values = createAwsSecretValues(clients);
    await expect(values.read({ parameter: '/storywatch/plain' })).rejects.toThrow(
      'parameter "/storywatch/plain" is not a SecureString',
    );
    await expect(values.read({ secret: 'storywatch/empty' })).rejects.toThrow('holds no text value');
    await expect(values.read({ secret: 'storywatch/none' })).rejects.toThrow(/can't find the specified secret/);
    await expect(values.read({ parameter: '/storywatch/none' })).rejects.toThrow(/ParameterNotFound/);
  });
});
