import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DISCARD_WORKFLOW_SPANS, workflowBundleOptions } from '../../src/temporal/worker';

// Histories recorded from real runs of every order path (npm run record:histories). Replaying them with today's
// workflow code proves that a change does not break orders already running in production: a non-deterministic
// change fails here and must be guarded with patched().
const dir = join(__dirname, '..', 'fixtures', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

test('recorded histories exist for the main order paths', () => {
  for (const state of ['fulfilled', 'needs_review', 'cancelled', 'revoked']) {
    assert.ok(files.some((f) => f.includes(`-${state}-`)), `no recorded history ends in ${state}`);
  }
});

test(`every recorded history (${files.length}) replays with the current workflow code`, async () => {
  // The production bundle (OpenTelemetry workflow interceptor included), so adding interceptors is replay-checked too.
  const { code } = await bundleWorkflowCode({
    ...workflowBundleOptions(),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
  });
  const histories = files.map((file) => ({ workflowId: file, history: historyFromJSON(JSON.parse(readFileSync(join(dir, file), 'utf8'))) }));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { code }, sinks: DISCARD_WORKFLOW_SPANS }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  assert.deepEqual(failures, []);
});
