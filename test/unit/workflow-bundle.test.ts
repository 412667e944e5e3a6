import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bundleWorkflowCode } from '@temporalio/worker';
import { quietSdkLogger } from '../../src/temporal/sdk-logger';
import { workflowBundleOptions } from '../../src/temporal/worker';

// The worker loads workflows from a webpack bundle with Node built-ins stubbed out; bundling fails (or the
// workflow would fail at run time) if workflow code imports fs, crypto, http... This is that bundle, built once.
test('the workflow bundle builds, contains the order workflow and the OpenTelemetry interceptor, and preloads the workflow modules', async () => {
  const { code } = await bundleWorkflowCode({
    ...workflowBundleOptions(),
    logger: quietSdkLogger(),
  });
  assert.match(code, /orderWorkflowV4/, 'the type clients start for new orders');
  assert.match(code, /orderWorkflowV2/, 'the type of orders started by the previous version');
  assert.match(code, /orderWorkflow\b/, 'the type of orders started before that');
  assert.match(code, /OpenTelemetryInboundInterceptor/, 'the OpenTelemetry interceptor is bundled (loaded only by traced runs)');
  assert.match(code, /TRACED_MEMO_KEY|'traced'|"traced"/, 'src/workflows/interceptors.ts is the bundle\'s interceptor module');
  assert.doesNotMatch(code, /require\("(node:)?(fs|net|http|https|child_process|crypto)"\)/);
  // Evaluated once per worker and shared by every run, instead of once per run (WORKFLOW_PRELOAD_MODULES).
  const preloaded = /exports\.preloadModules = function preloadModules\(\) \{([^}]*)\}/.exec(code)?.[1] ?? '';
  assert.match(preloaded, /src\/workflows\/index\.ts/, 'the workflow modules are preloaded');
  assert.match(preloaded, /src\/workflows\/interceptors\.ts/, 'the interceptor module is preloaded');
});
