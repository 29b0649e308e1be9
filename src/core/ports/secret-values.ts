/**
 * Where a channel's URL or signing secret is kept in AWS: a Secrets Manager secret or an SSM SecureString
 * parameter, named (never held) by the deploy's context.
 */
export type SecretSource = { secret: string } | { parameter: string };

/** Reads the value a source names. Throws when it cannot (missing, not allowed, unreachable, empty). */
export interface SecretValues {
  read(source: SecretSource): Promise<string>;
}

export function describeSecretSource(source: SecretSource): string {
  return 'secret' in source ? `secret "${source.secret}"` : `parameter "${source.parameter}"`;
}
