// Prebuilds the workflow bundle so production workers start without webpack (`npm run build`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PREBUILT_BUNDLE, workflowBundleOptions } from '../src/temporal/worker';

void (async () => {
  // Same options as a worker bundling at start, OpenTelemetry workflow interceptor included.
  const { code } = await bundleWorkflowCode(workflowBundleOptions());
  mkdirSync(dirname(PREBUILT_BUNDLE), { recursive: true });
  writeFileSync(PREBUILT_BUNDLE, code);
  console.log(`workflow bundle written to ${PREBUILT_BUNDLE} (${(code.length / 1024).toFixed(0)} KiB)`);
})();
