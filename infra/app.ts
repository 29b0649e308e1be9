import { App } from 'aws-cdk-lib';
import { ConfigError, loadConfig } from './config';
import { PROJECT_ROOT } from './handlers';
import { createStorywatch } from './storywatch';

const app = new App();
try {
  createStorywatch(
    app,
    loadConfig((key) => app.node.tryGetContext(key), PROJECT_ROOT),
    // The CLI passes the region of the caller's profile; the stacks stay env-agnostic and use it for warnings only.
    { regionHint: process.env.CDK_DEFAULT_REGION ?? null },
  );
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
app.synth();
