// Where an order's time goes: milestones read from a run's history (the dev server stamps every event with the
// machine's clock, the bench notes when it started the order and when it saw it done), as steps with their median
// and p90 over a sample of timed orders. Used by bench/e2e.ts for the real and the minimal path alike.
import type { temporal } from '@temporalio/proto';
import { markdownTable, quantile } from './harness';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** One order of a timed window: wall-clock ms (fractional) when the bench started it and when it saw it done. */
export interface TimedOrder {
  workflowId: string;
  startedAtMs: number;
  doneAtMs: number;
}

/** One step of an order's way, named for the table, with its duration in ms. */
export interface Step {
  name: string;
  ms: number;
}

const eventMs = (e: HistoryEvent): number => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;

/**
 * The steps of one run, in order: the start being recorded, then for each activity (in the order first scheduled)
 * the workflow task that schedules it — its wait for a worker (from the previous milestone until a worker picked it
 * up) and its run on the worker — and the activity itself (queue and run: the server stamps its start when it is
 * recorded, so the two cannot be told apart), the same for the task that completes the run, then what remains
 * until the bench saw the order done. Only each activity's first scheduling counts, so runs of one shape give the
 * same step names.
 */
export function stepsOf(events: readonly HistoryEvent[], order: TimedOrder, doneLabel: string): Step[] {
  const steps: Step[] = [];
  let last = order.startedAtMs;
  const step = (name: string, at: number) => {
    steps.push({ name, ms: at - last });
    last = at;
  };
  let taskPickedUpAt: number | undefined;
  const workflowTask = (what: string, completedAt: number) => {
    if (taskPickedUpAt !== undefined && taskPickedUpAt >= last) step(`${what}: workflow task waits for a worker`, taskPickedUpAt);
    step(`${what}: workflow task runs`, completedAt);
  };
  let taskCompletedAt = 0;
  const byScheduledId = new Map<string, string>();
  for (const e of events) {
    const at = eventMs(e);
    if (e.workflowExecutionStartedEventAttributes) step('start recorded (everything before the run exists)', at);
    if (e.workflowTaskStartedEventAttributes) taskPickedUpAt = at;
    if (e.workflowTaskCompletedEventAttributes) taskCompletedAt = at;
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const name = scheduled.activityType?.name ?? '?';
      if ([...byScheduledId.values()].includes(name)) continue;
      byScheduledId.set(String(e.eventId), name);
      workflowTask(name, taskCompletedAt);
    }
    const completedName = byScheduledId.get(String(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? ''));
    if (completedName) step(`${completedName}: activity (queue + run)`, at);
    if (e.workflowExecutionCompletedEventAttributes) workflowTask('completion', at);
  }
  // The real path is done when the merchant got the update, inside the last activity's run: drop the steps after it.
  while (steps.length > 0 && last > order.doneAtMs) last -= steps.pop()!.ms;
  steps.push({ name: doneLabel, ms: order.doneAtMs - last });
  return steps;
}

/** Median and p90 per step name over many runs, in the order the steps first appear. */
export function stepTable(runs: readonly Step[][]): string {
  const byName = new Map<string, number[]>();
  for (const steps of runs) for (const s of steps) byName.set(s.name, [...(byName.get(s.name) ?? []), s.ms]);
  const rows = [...byName].map(([name, ms]) => {
    const sorted = Float64Array.from(ms).sort();
    return [name, String(ms.length), quantile(sorted, 0.5), quantile(sorted, 0.9)];
  });
  return markdownTable(['step', 'orders', 'median ms', 'p90 ms'], rows);
}

/** Up to `max` orders spread evenly over `orders`. */
export function spreadSample<T>(orders: readonly T[], max: number): T[] {
  if (orders.length <= max) return [...orders];
  return Array.from({ length: max }, (_, i) => orders[Math.floor((i * orders.length) / max)]!);
}
