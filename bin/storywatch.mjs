#!/usr/bin/env node
// The CLI is written in TypeScript; tsx compiles it on the fly so `npx storywatch` works right after `npm ci`.
import { register } from 'tsx/esm/api';

// Node 20 is supported here (engines >=20); the AWS SDK's notice about its own future Node 22 requirement would
// otherwise land in the middle of every command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
