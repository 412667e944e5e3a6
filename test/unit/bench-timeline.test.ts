// The e2e bench's step table: milestones read from a history turn into steps that add up to the order's time.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { temporal } from '@temporalio/proto';
import { spreadSample, stepsOf, type TimedOrder } from '../../bench/timeline';

/** A history event at `ms` (wall clock) with the one attribute stepsOf reads. */
function event(eventId: number, ms: number, attributes: Record<string, unknown>) {
  return temporal.api.history.v1.HistoryEvent.fromObject({ eventId, eventTime: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 }, ...attributes });
}

const activity = (name: string) => ({ activityTaskScheduledEventAttributes: { activityType: { name } } });
const completed = (scheduledEventId: number) => ({ activityTaskCompletedEventAttributes: { scheduledEventId } });
const T0 = 1_700_000_000_000;

// start, task, captureOrder, the second signal's task, task, updateService, task, completion: a real order's shape.
const history = [
  event(1, T0 + 10, { workflowExecutionStartedEventAttributes: {} }),
  event(2, T0 + 12, { workflowTaskStartedEventAttributes: {} }),
  event(3, T0 + 15, { workflowTaskCompletedEventAttributes: {} }),
  event(4, T0 + 15, activity('captureOrder')),
  event(5, T0 + 40, completed(4)),
  event(6, T0 + 45, { workflowTaskStartedEventAttributes: {} }),
  event(7, T0 + 50, { workflowTaskCompletedEventAttributes: {} }),
  event(8, T0 + 50, activity('updateService')),
  event(9, T0 + 70, completed(8)),
  event(10, T0 + 71, { workflowTaskStartedEventAttributes: {} }),
  event(11, T0 + 75, { workflowTaskCompletedEventAttributes: {} }),
  event(12, T0 + 75, activity('updateService')), // a second scheduling of the same activity is not a step
  event(13, T0 + 76, { workflowExecutionCompletedEventAttributes: {} }),
];

describe('bench timeline: where an order spends its time', () => {
  test('steps follow the milestones and add up to the time the bench measured', () => {
    const order: TimedOrder = { workflowId: 'w', startedAtMs: T0, doneAtMs: T0 + 80 };
    const steps = stepsOf(history, order, 'until the client has the result');
    assert.deepEqual(steps.map((s) => [s.name, s.ms]), [
      ['start recorded (everything before the run exists)', 10],
      ['captureOrder: workflow task waits for a worker', 2],
      ['captureOrder: workflow task runs', 3],
      ['captureOrder: activity (queue + run)', 25],
      ['updateService: workflow task waits for a worker', 5],
      ['updateService: workflow task runs', 5],
      ['updateService: activity (queue + run)', 20],
      ['completion: workflow task waits for a worker', 1],
      ['completion: workflow task runs', 5],
      ['until the client has the result', 4],
    ]);
    assert.equal(steps.reduce((sum, s) => sum + s.ms, 0), 80);
  });

  test('an order done inside its last activity ends there (the merchant got the update before it completed)', () => {
    const order: TimedOrder = { workflowId: 'w', startedAtMs: T0, doneAtMs: T0 + 60 };
    const steps = stepsOf(history, order, 'until the merchant got the update');
    assert.deepEqual(steps.slice(-2).map((s) => [s.name, s.ms]), [['updateService: workflow task runs', 5], ['until the merchant got the update', 10]]);
    assert.equal(steps.reduce((sum, s) => sum + s.ms, 0), 60);
  });

  test('spreadSample keeps every order when there are few and spreads over all of them when there are many', () => {
    assert.deepEqual(spreadSample([1, 2, 3], 5), [1, 2, 3]);
    assert.deepEqual(spreadSample(Array.from({ length: 10 }, (_, i) => i), 5), [0, 2, 4, 6, 8]);
  });
});
