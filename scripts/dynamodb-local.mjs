#!/usr/bin/env node
// Runs the storage test suites against AWS's DynamoDB Local instead of dynalite, to catch behaviour dynalite
// only imitates (transactions, cancellation reasons). Needs Java. The emulator jar comes from the npm package
// amplify-dynamodb-simulator, fetched once with `npm pack` into test/.dynamodb-local/ (gitignored).
//
// Usage: node scripts/dynamodb-local.mjs [vitest paths...]   (default: test/integration/storage)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const cacheDir = join(root, 'test', '.dynamodb-local');
const emulatorDir = join(cacheDir, 'package', 'emulator');
const jar = join(emulatorDir, 'DynamoDBLocal.jar');

function ensureJar() {
  if (existsSync(jar)) return;
  mkdirSync(cacheDir, { recursive: true });
  let tarball = readdirSync(cacheDir).find(
    (name) => name.startsWith('amplify-dynamodb-simulator-') && name.endsWith('.tgz'),
  );
  if (!tarball) {
    console.error('fetching DynamoDB Local (npm pack amplify-dynamodb-simulator)...');
    execFileSync('npm', ['pack', 'amplify-dynamodb-simulator', '--pack-destination', cacheDir], { stdio: 'inherit' });
    tarball = readdirSync(cacheDir).find((name) => name.endsWith('.tgz'));
  }
  execFileSync('tar', ['xzf', join(cacheDir, tarball), '-C', cacheDir, 'package/emulator'], { stdio: 'inherit' });
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function waitUntilListening(endpoint, child) {
  for (let attempt = 0; attempt < 120; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}`);
    try {
      await fetch(endpoint, { method: 'POST' });
      return;
    } catch {
      await new Promise((done) => setTimeout(done, 250));
    }
  }
  throw new Error('DynamoDB Local did not start within 30 s');
}

try {
  execFileSync('java', ['-version'], { stdio: 'ignore' });
} catch {
  console.error('java not found: DynamoDB Local needs a Java runtime (the dynalite suites still run without it).');
  process.exit(1);
}
ensureJar();
const port = await freePort();
const endpoint = `http://127.0.0.1:${port}`;
const emulator = spawn(
  'java',
  [`-Djava.library.path=${join(emulatorDir, 'DynamoDBLocal_lib')}`, '-jar', jar, '-inMemory', '-port', String(port)],
  { cwd: emulatorDir, stdio: ['ignore', 'ignore', 'inherit'] },
);
let exitCode = 1;
try {
  await waitUntilListening(endpoint, emulator);
  const paths = process.argv.slice(2);
  const vitest = spawn('npx', ['vitest', 'run', ...(paths.length > 0 ? paths : ['test/integration/storage'])], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, STORYWATCH_TEST_DYNAMODB: 'local', STORYWATCH_TEST_DYNAMODB_ENDPOINT: endpoint },
  });
  exitCode = await new Promise((done) => vitest.on('exit', (code) => done(code ?? 1)));
} finally {
  emulator.kill();
}
process.exit(exitCode);
