import { App } from 'aws-cdk-lib';
import { ConfigError, loadConfig } from './config';
import { PROJECT_ROOT } from './handlers';
import { createStorywatch } from './storywatch';

const app = new App();
try {
  createStorywatch(
    app,
    loadConfig((key) => app.node.tryGetContext(key), PROJECT_ROOT),
  );
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
app.synth();
