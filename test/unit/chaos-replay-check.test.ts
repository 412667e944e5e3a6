// The chaos run's replay check: a history the workflow code replays passes, one it cannot (a command the code
// would not give at that point: TMPRL1100, as with the decisions sent as Updates) is reported with its order.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode } from '@temporalio/worker';
import { unreplayableHistories } from '../../chaos/replay-check';
import { installQuietSdkRuntime, quietSdkLogger } from '../../src/temporal/sdk-logger';
import { workflowBundleOptions } from '../../src/temporal/worker';

// The SDK's own warning about the broken history is expected here: keep it out of the test output.
installQuietSdkRuntime();

const FIXTURE = join(__dirname, '..', 'fixtures', 'histories', 'orderWorkflowV4-fulfilled-e1de3ed98c.json');

test('the replay check passes a history the code replays and reports one it cannot, with its order', async () => {
  const { code } = await bundleWorkflowCode({ ...workflowBundleOptions(), logger: quietSdkLogger() });
  const bundlePath = join(mkdtempSync(join(tmpdir(), 'replay-check-')), 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  const json = readFileSync(FIXTURE, 'utf8');
  const good = historyFromJSON(JSON.parse(json));
  // The same order, but its first activity recorded as one the code never schedules there.
  const broken = JSON.parse(json) as { events: { activityTaskScheduledEventAttributes?: { activityType: { name: string } } }[] };
  broken.events.find((e) => e.activityTaskScheduledEventAttributes)!.activityTaskScheduledEventAttributes!.activityType.name = 'raiseReviewAlert';
  const failed = await unreplayableHistories(bundlePath, [
    { orderId: 'GOOD', history: good },
    { orderId: 'BROKEN', history: historyFromJSON(broken) },
  ]);
  assert.deepEqual(failed.map((f) => f.orderId), ['BROKEN']);
  assert.match(failed[0]!.error, /nondetermin/i);
});
