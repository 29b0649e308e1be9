import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';

export interface SecretEndpoint {
  endpoint: string;
  /** Secrets Manager secrets by name (SecretString). */
  secrets: Map<string, string>;
  /** SSM parameters by name; SecureString unless the type says otherwise. */
  parameters: Map<string, { value: string; type?: 'String' | 'SecureString' }>;
  /** Every request: the X-Amz-Target operation and the name it asked for. */
  requests: { target: string; name: string; signed: boolean }[];
  close(): Promise<void>;
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
  response.end(JSON.stringify(body));
}

type Parameters = SecretEndpoint['parameters'];

function answerGetSecretValue(response: ServerResponse, secrets: Map<string, string>, name: string): void {
  const value = secrets.get(name);
  if (value === undefined) {
    sendJson(response, 400, {
      __type: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
    });
    return;
  }
  sendJson(response, 200, {
    ARN: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`,
    Name: name,
    SecretString: value,
    VersionId: randomUUID(),
    VersionStages: ['AWSCURRENT'],
    CreatedDate: Date.now() / 1000,
  });
}

function answerGetParameter(
  response: ServerResponse,
  parameters: Parameters,
  name: string,
  withDecryption: boolean,
): void {
  const parameter = parameters.get(name);
  if (parameter === undefined) {
    sendJson(response, 400, { __type: 'ParameterNotFound' });
    return;
  }
  const type = parameter.type ?? 'SecureString';
  sendJson(response, 200, {
    Parameter: {
      Name: name,
      Type: type,
      // Without WithDecryption SSM hands out the ciphertext of a SecureString.
      Value: type === 'SecureString' && !withDecryption ? 'AQICAHh…ciphertext' : parameter.value,
      Version: 1,
      LastModifiedDate: Date.now() / 1000,
      ARN: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name.startsWith('/') ? '' : '/'}${name}`,
      DataType: 'text',
    },
  });
}

interface SecretCall {
  target: string;
  input: Record<string, unknown>;
  signed: boolean;
}

/** Records the call and answers it the way the service named in its X-Amz-Target would. */
function answerSecretCall(
  response: ServerResponse,
  call: SecretCall,
  store: Pick<SecretEndpoint, 'secrets' | 'parameters' | 'requests'>,
): void {
  const { target, input, signed } = call;
  if (target === 'secretsmanager.GetSecretValue') {
    const name = String(input.SecretId);
    store.requests.push({ target, name, signed });
    answerGetSecretValue(response, store.secrets, name);
    return;
  }
  if (target === 'AmazonSSM.GetParameter') {
    const name = String(input.Name);
    store.requests.push({ target, name, signed });
    answerGetParameter(response, store.parameters, name, input.WithDecryption === true);
    return;
  }
  store.requests.push({ target, name: '', signed });
  sendJson(response, 400, { __type: 'UnknownOperationException', message: `unsupported ${target}` });
}

/**
 * Secrets Manager's and SSM's JSON 1.1 protocol on 127.0.0.1, as far as storywatch uses it: a POST with
 * `X-Amz-Target: secretsmanager.GetSecretValue` or `AmazonSSM.GetParameter`, answered with the service's JSON
 * shapes and error types (`ResourceNotFoundException`, `ParameterNotFound`), so the real SDK clients talk to it.
 */
export async function startSecretEndpoint(): Promise<SecretEndpoint> {
  const store = {
    secrets: new Map<string, string>(),
    parameters: new Map() as Parameters,
    requests: [] as SecretEndpoint['requests'],
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const call: SecretCall = {
        target: String(request.headers['x-amz-target'] ?? ''),
        input: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>,
        signed: String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 '),
      };
      answerSecretCall(response, call, store);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    ...store,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

const loopbackConfig = (endpoint: string) => ({
  endpoint,
  region: REGION,
  credentials: { accessKeyId: 'loopback', secretAccessKey: 'loopback' },
  maxAttempts: 1,
});

/** The real SDK clients aimed at the loopback endpoint. */
export function loopbackSecretClients(endpoint: string) {
  return {
    secretsManager: new SecretsManagerClient(loopbackConfig(endpoint)),
    ssm: new SSMClient(loopbackConfig(endpoint)),
  };
}
