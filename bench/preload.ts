// What preloading the workflow modules saves (WORKFLOW_PRELOAD_MODULES in src/temporal/worker.ts): the product's
// bundle next to the same bundle without `preloadModules`, whose modules the SDK evaluates again for every run it
// creates or replays. Both replay one recorded happy-path order many times in this process, in alternating rounds.
// No server, no neighbours: the CPU per replayed run is the workflow code's own and the SDK's work around it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { workflowBundleOptions } from '../src/temporal/worker';
import { markdownTable, pooledPerSec, progress, ratioIntervalText, type BenchModule, type BenchReport, type TimedWindow } from './harness';
import { replayCost } from './replay-cost';
import { bundleToFile } from './temporal';

const N = Number(process.env.PRELOAD_N ?? 1000);
const ROUNDS = Number(process.env.PRELOAD_ROUNDS ?? 4);
/** A happy-path order as the e2e bench runs it: start with the approval, capture, PayPal's capture webhook, the service update, fulfilled. */
const HISTORY = join(__dirname, '..', 'test', 'fixtures', 'histories', 'orderWorkflowV4-fulfilled-2d2a0e7178.json');

/** The preload bench: CPU per replayed order with and without the workflow modules preloaded. */
export const preloadBench: BenchModule = {
  name: 'preload',
  async run(): Promise<BenchReport> {
    const history = historyFromJSON(JSON.parse(readFileSync(HISTORY, 'utf8')));
    const preloaded = await bundleToFile(workflowBundleOptions());
    const perRun = await bundleToFile({ ...workflowBundleOptions(), preloadModules: [] });
    const paths = [
      { name: 'preloaded (the product)', bundle: preloaded.path, windows: [] as TimedWindow[] },
      { name: 'evaluated per run (no preloadModules)', bundle: perRun.path, windows: [] as TimedWindow[] },
    ] as const;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        for (const path of round % 2 === 0 ? paths : [...paths].reverse()) {
          const cost = await replayCost(path.bundle, [history], N);
          path.windows.push({ calls: N, elapsedMs: cost.cpuMsPerRun * N });
          progress(`preload: round ${round + 1}/${ROUNDS} ${path.name}: ${cost.cpuMsPerRun.toFixed(2)} ms CPU per replayed run`);
        }
      }
    } finally {
      preloaded.remove();
      perRun.remove();
    }
    const [{ windows: withPreload }, { windows: withoutPreload }] = paths;
    const mean = (w: readonly TimedWindow[]) => 1000 / pooledPerSec(w); // CPU ms per replayed run
    const rows = paths.map((p) => [p.name, ...p.windows.map((x) => x.elapsedMs / x.calls), mean(p.windows)]);
    return {
      name: 'preload',
      title: 'Workflow modules preloaded vs evaluated per run (replayed happy-path order)',
      params: { replays: `${N} per path and round, in one replay worker`, rounds: `${ROUNDS}, path order alternating`, history: 'test/fixtures/histories/orderWorkflowV4-fulfilled-2d2a0e7178.json' },
      rows: [],
      tables: [
        {
          heading: 'CPU ms per replayed run, by round:',
          markdown: markdownTable(['bundle', ...Array.from({ length: ROUNDS }, (_, r) => `round ${r + 1}`), 'all rounds'], rows, 2),
        },
        {
          heading: 'Saving:',
          markdown: markdownTable(
            ['CPU per run, per run ÷ preloaded', 'its 95 % interval (rounds resampled)', 'ms saved per run'],
            [[mean(withoutPreload) / mean(withPreload), ratioIntervalText(withPreload, withoutPreload), mean(withoutPreload) - mean(withPreload)]],
            2,
          ),
        },
      ],
      notes: [
        'Each round replays the history N times with one replay worker per bundle (Worker.runReplayHistories in this process, after one warm-up replay), so each replay creates the run anew, as a live worker does for a new order or after evicting one from its cache.',
        'Without preloadModules the SDK evaluates every workflow module again for each run (a reusable V8 context keeps module state apart per run that way); src/workflows keeps no state at module scope (a lint rule), so the product shares them.',
        'The interval is the paired bootstrap of bench/harness.ts over rounds, on replays per CPU-millisecond.',
      ],
    };
  },
};
