import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `storywatch <args>` in this process with captured output; `terminal` makes stdout claim to be a TTY. */
export async function runCli(args: string[], options: { terminal?: boolean } = {}): Promise<CliRun> {
  const stdout = Object.assign(new PassThrough(), { isTTY: options.terminal === true });
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const code = await main(args, { stdout, stderr, stdin: new PassThrough() });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
