// `ppf setup`: prepares an existing Temporal cluster for this product (the embedded dev server needs none of it).
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { loadSweepSettings } from '../config';
import { registerSearchAttributes } from '../temporal/cluster-setup';
import { ensureSweepSchedule, pauseSweepSchedule, sweepScheduleId } from '../temporal/schedules';

/** Options of `ppf setup`. */
export interface SetupOptions {
  /** Task queue of the deployment's workers (default TEMPORAL_TASK_QUEUE, else paypal-orders). */
  taskQueue?: string;
  /** False: register search attributes only. */
  schedule: boolean;
  json: boolean;
  env?: NodeJS.ProcessEnv;
}

/**
 * Registers the search attributes and ensures the webhook sweep schedule, connecting the way every Temporal tool
 * does (`@temporalio/envconfig`: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, the
 * profile file). Safe to run any number of times. Returns the exit code: 0 done, 1 refused by the cluster,
 * 2 bad configuration, 3 Temporal unreachable.
 */
export async function setupCommand(opts: SetupOptions, print: (line: string) => void, printError: (line: string) => void = print): Promise<number> {
  const env = opts.env ?? process.env;
  let settings;
  let connect;
  try {
    settings = loadSweepSettings(env);
    connect = loadClientConnectConfig({ overrideEnvVars: stringEnv(env) });
  } catch (err) {
    printError(`configuration error: ${(err as Error).message}`);
    return 2;
  }
  // Namespace passed explicitly: a Client defaults to "default" whatever the profile says.
  const namespace = connect.namespace ?? 'default';
  const taskQueue = opts.taskQueue ?? settings.TEMPORAL_TASK_QUEUE;
  const address = connect.connectionOptions.address ?? 'localhost:7233';

  let connection: Connection;
  try {
    connection = await Connection.connect({ ...connect.connectionOptions, connectTimeout: 10_000 });
  } catch (err) {
    printError(`Temporal unreachable at ${address}: ${(err as Error).message}`);
    return 3;
  }
  try {
    const attributes = await registerSearchAttributes(connection, namespace);
    const client = new Client({ connection, namespace });
    let schedule: Record<string, unknown> = { skipped: true };
    if (opts.schedule && settings.WEBHOOK_SWEEP_INTERVAL > 0) {
      const ensured = await ensureSweepSchedule(client, { taskQueue, every: settings.WEBHOOK_SWEEP_INTERVAL, lookbackMs: settings.WEBHOOK_SWEEP_LOOKBACK });
      schedule = { ...ensured, everyMs: settings.WEBHOOK_SWEEP_INTERVAL, lookbackMs: settings.WEBHOOK_SWEEP_LOOKBACK };
    } else if (opts.schedule) {
      schedule = { scheduleId: sweepScheduleId(taskQueue), paused: await pauseSweepSchedule(client, taskQueue), disabled: true };
    }
    if (opts.json) {
      print(JSON.stringify({ address, namespace, taskQueue, searchAttributes: attributes, schedule }, null, 2));
    } else {
      print(`Temporal ${address}, namespace ${namespace}`);
      print(`search attributes: ${attributes.added.length} added${attributes.added.length ? ` (${attributes.added.join(', ')})` : ''}, ${attributes.existing.length} already present`);
      if (schedule.skipped) print('webhook sweep schedule: not touched (--no-schedule)');
      else if (schedule.disabled) print(`webhook sweep schedule ${String(schedule.scheduleId)}: WEBHOOK_SWEEP_INTERVAL=off${schedule.paused ? ', paused' : ''}`);
      else {
        const minutes = (ms: unknown) => `${Math.round(Number(ms) / 60_000)} min`;
        print(`webhook sweep schedule ${String(schedule.scheduleId)} ${schedule.created ? 'created' : 'up to date'}: every ${minutes(schedule.everyMs)}, window ${minutes(schedule.lookbackMs)}, task queue ${taskQueue}`);
      }
    }
    return 0;
  } catch (err) {
    printError(`setup failed: ${(err as Error).message}`);
    return 1;
  } finally {
    await connection.close();
  }
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
