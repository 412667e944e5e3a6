// How long an order waits: the gaps a retried poll (pollPendingCaptureByRetries) waits between PayPal reads, and
// polls timed from the last poll rather than from the last input (keepTimersAcrossInputs).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_TIMING } from '../../src/workflows/timing';
import { nextWait, retryGaps } from '../../src/workflows/waits';
import { at } from '../helpers/order-data';

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

describe('nextWait: when the next poll is due', () => {
  const timing = { ...DEFAULT_TIMING, pollScheduleMs: [60_000] };
  const pending = () => ({ ...at('payment_pending'), stateSince: new Date(Date.now() - 30_000).toISOString() });

  test('from the last poll when pollFrom is given, so an input that changed nothing does not move it', () => {
    const wait = nextWait(pending(), timing, 0, Date.now() - 30_000, Date.now() - 20_000);
    assert.equal(wait.then, 'poll_due');
    assert.ok(wait.ms! > 39_000 && wait.ms! <= 40_000, `40 s after a poll 20 s ago: ${wait.ms}`);
  });

  test('a full gap from now without it (the types before orderWorkflowV4)', () => {
    assert.deepEqual(nextWait(pending(), timing, 0, Date.now() - 30_000), { ms: 60_000, then: 'poll_due' });
  });

  test('the deadline when it comes before the poll', () => {
    const enteredAt = Date.now() - timing.paymentPendingDeadlineMs + 10_000;
    const wait = nextWait({ ...pending(), stateSince: new Date(enteredAt).toISOString() }, timing, 0, enteredAt, Date.now());
    assert.equal(wait.then, 'deadline_passed');
    assert.ok(wait.ms! > 9_000 && wait.ms! <= 10_000, `the deadline in 10 s: ${wait.ms}`);
  });
});
