// The gaps a retried poll (pollPendingCaptureByRetries) waits between PayPal reads: the rest of the poll schedule.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { retryGaps } from '../../src/workflows/waits';

describe('retryGaps', () => {
  const schedule = [60_000, 300_000, 900_000, 3_600_000];

  test('after the first poll the retries continue with the schedule\'s second gap', () => {
    assert.deepEqual(retryGaps(schedule, 1), [300_000, 900_000, 3_600_000]);
  });

  test('past the end of the schedule its last gap repeats', () => {
    assert.deepEqual(retryGaps(schedule, 4), [3_600_000]);
    assert.deepEqual(retryGaps(schedule, 40), [3_600_000]);
  });

  test('an empty schedule still polls (every minute) rather than never', () => {
    assert.deepEqual(retryGaps([], 1), [60_000]);
  });
});
