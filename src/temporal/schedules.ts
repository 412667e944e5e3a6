import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleOptionsStartWorkflowAction, type ScheduleUpdateOptions } from '@temporalio/client';
import type { webhookSweepWorkflow } from '../workflows/sweep';

/** Settings of the webhook sweep schedule. */
export interface SweepScheduleOptions {
  /** Task queue of the worker that runs the sweep (the order workers' queue). */
  taskQueue: string;
  /** Gap between sweeps, in milliseconds. */
  every: number;
  /** Window of each sweep, in milliseconds; longer than `every` so windows overlap. */
  lookbackMs: number;
  /** Default: {@link sweepScheduleId}(taskQueue). */
  scheduleId?: string;
}

/** What ensureSweepSchedule did. */
export interface EnsuredSchedule {
  scheduleId: string;
  /** False when the schedule existed and was brought up to date instead. */
  created: boolean;
}

/** Note on a schedule paused because the configuration turned the sweep off (and only then unpaused by us). */
export const SWEEP_DISABLED_NOTE = 'paused: WEBHOOK_SWEEP_INTERVAL=off';

/**
 * One schedule per task queue: deployments (and test runs) sharing a namespace each sweep for their own workers,
 * and every worker of one deployment converges on the same schedule.
 */
export function sweepScheduleId(taskQueue: string): string {
  return `webhook-sweep-${taskQueue}`;
}

/**
 * Creates the Temporal Schedule that starts webhookSweepWorkflow every `every`, or brings an existing one up to
 * date (spec, action, policies), so it is safe to call at every worker start and from `ppf setup`. A schedule that
 * an operator paused stays paused; one paused by {@link pauseSweepSchedule} is resumed.
 */
export async function ensureSweepSchedule(client: Client, opts: SweepScheduleOptions): Promise<EnsuredSchedule> {
  const scheduleId = opts.scheduleId ?? sweepScheduleId(opts.taskQueue);
  const desired = desiredSchedule(scheduleId, opts);
  try {
    await client.schedule.create({ scheduleId, ...desired, state: { note: 'created by ensureSweepSchedule' } });
    return { scheduleId, created: true };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(scheduleId).update<typeof webhookSweepWorkflow>((previous) => {
    const ours = previous.state.paused && previous.state.note === SWEEP_DISABLED_NOTE;
    return {
      ...desired,
      state: ours ? { paused: false, note: 'resumed: webhook sweep enabled again' } : { paused: previous.state.paused, note: previous.state.note },
    };
  });
  return { scheduleId, created: false };
}

/**
 * Pauses the sweep schedule when the configuration turns the sweep off, so "off" means off even for a schedule
 * created earlier; the note lets {@link ensureSweepSchedule} resume it later. Absent schedule: nothing to do.
 */
export async function pauseSweepSchedule(client: Client, taskQueue: string, scheduleId = sweepScheduleId(taskQueue)): Promise<boolean> {
  const handle = client.schedule.getHandle(scheduleId);
  try {
    const description = await handle.describe();
    if (description.state.paused) return false;
    await handle.pause(SWEEP_DISABLED_NOTE);
    return true;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return false;
    throw err;
  }
}

function desiredSchedule(scheduleId: string, opts: SweepScheduleOptions): Omit<ScheduleUpdateOptions<ScheduleOptionsStartWorkflowAction<typeof webhookSweepWorkflow>>, 'state'> {
  if (!(opts.every > 0) || !(opts.lookbackMs > opts.every)) throw new Error('the sweep lookback must be longer than its interval, both positive');
  return {
    spec: { intervals: [{ every: opts.every }] },
    action: {
      type: 'startWorkflow',
      // By name: this module runs in clients (CLI, API), which must not load workflow code.
      workflowType: 'webhookSweepWorkflow',
      workflowId: scheduleId, // the schedule appends the scheduled time, one ID per run
      taskQueue: opts.taskQueue,
      args: [{ lookbackMs: opts.lookbackMs }],
      // Safety net above the activity's own bounded retries, so one stuck run cannot block the schedule for long.
      workflowExecutionTimeout: '1 hour',
      staticSummary: `PayPal webhook sweep (last ${Math.round(opts.lookbackMs / 60_000)} min)`,
    },
    policies: {
      // Never two sweeps at once; a skipped one is covered by the next (overlapping windows).
      overlap: 'SKIP',
      // After a Temporal outage run one late sweep if it is at most an interval late; older missed runs add nothing
      // because the next sweep's window covers theirs.
      catchupWindow: Math.max(opts.every, 60_000),
      pauseOnFailure: false,
    },
  };
}
