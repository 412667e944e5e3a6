import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { quietSdkLogger } from '../../src/temporal/sdk-logger';
import { DISCARD_WORKFLOW_SPANS, workflowBundleOptions } from '../../src/temporal/worker';
import { ORDER_WORKFLOW_TYPES } from '../../src/workflows/messages';

// Histories recorded from real runs of every order path (npm run record:histories). Replaying them with today's
// workflow code proves that a change does not break orders already running in production: a non-deterministic
// change fails here and must be guarded with patched().
const dir = join(__dirname, '..', 'fixtures', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

test('recorded histories exist for the main order paths of every order workflow type', () => {
  for (const type of ORDER_WORKFLOW_TYPES) {
    for (const state of ['fulfilled', 'needs_review', 'cancelled', 'revoked']) {
      assert.ok(files.some((f) => f.startsWith(`${type}-${state}-`)), `no recorded ${type} history ends in ${state}`);
    }
  }
});

test(`every recorded history (${files.length}) replays with the current workflow code`, async () => {
  // The production bundle with its interceptor module, so interceptor changes are replay-checked too (some
  // histories were recorded with OpenTelemetry's interceptor in every run, one from a traced run).
  const { code } = await bundleWorkflowCode({
    ...workflowBundleOptions(),
    logger: quietSdkLogger(),
  });
  const histories = files.map((file) => ({ workflowId: file, history: historyFromJSON(JSON.parse(readFileSync(join(dir, file), 'utf8'))) }));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { code }, sinks: DISCARD_WORKFLOW_SPANS }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  assert.deepEqual(failures, []);
});
