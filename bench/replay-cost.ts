// What a workflow's own code costs the worker, without a server or neighbours: recorded runs replayed in this
// process, counting the promises created inside the workflow sandbox (the SDK's promise hook formats a stack trace,
// mapped through the bundle's source map, for each of them) and the CPU per replay. Deterministic in the promise
// count, far less noisy than the end-to-end figures in the CPU, so it can show what a workflow change saves.
import { promiseHooks } from 'node:v8';
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { installQuietSdkRuntime } from '../src/temporal/sdk-logger';
import { DISCARD_WORKFLOW_SPANS } from '../src/temporal/worker';

type History = temporal.api.history.v1.IHistory;

/** The cost of replaying a set of runs: per run, averaged over them. */
export interface ReplayCost {
  runs: number;
  /** Promises created in workflow context (a vm context's own Promise), per run. */
  promisesPerRun: number;
  /** This process's CPU per replayed run, over `rounds` timed passes (one replay worker) after a warm-up pass. */
  cpuMsPerRun: number;
}

/** Replays every history `times` times with one replay worker (whose start, a bundle load, is then shared). */
async function replayAll(bundlePath: string, histories: readonly History[], tag: string, times = 1): Promise<void> {
  const runs = Array.from({ length: times }, (_, t) => histories.map((history, i) => ({ workflowId: `${tag}-${t}-${i}`, history }))).flat();
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: bundlePath }, sinks: DISCARD_WORKFLOW_SPANS }, runs)) {
    if (result.error) throw new Error(`replay of ${result.workflowId} failed: ${result.error.message}`);
  }
}

/**
 * Replays `histories` with the workflow bundle at `bundlePath` (the replay worker runs workflow code in this
 * thread): once to warm up, once counting sandbox promises, then `rounds` times timed by one replay worker.
 */
export async function replayCost(bundlePath: string, histories: readonly History[], rounds = 5): Promise<ReplayCost> {
  // The replay worker needs the SDK runtime; a silent one if this process has none yet.
  installQuietSdkRuntime();
  // The replay runs workflow code in this thread, where tsx turns Node's source maps on; the worker's workflow thread
  // runs without them. Off here too, or every function the SDK compiles per promise is also scanned for a map.
  const sourceMaps = process.sourceMapsEnabled;
  process.setSourceMapsEnabled(false);
  try {
    await replayAll(bundlePath, histories, 'warm');
    let promises = 0;
    const stopCounting = promiseHooks.onInit((promise) => {
      if (promise.constructor !== Promise) promises++;
    }) as () => void;
    try {
      await replayAll(bundlePath, histories, 'count');
    } finally {
      stopCounting();
    }
    const before = process.cpuUsage();
    await replayAll(bundlePath, histories, 'timed', rounds);
    const cpu = process.cpuUsage(before);
    const replays = histories.length * rounds;
    return { runs: histories.length, promisesPerRun: promises / histories.length, cpuMsPerRun: (cpu.user + cpu.system) / 1000 / replays };
  } finally {
    process.setSourceMapsEnabled(sourceMaps);
  }
}
