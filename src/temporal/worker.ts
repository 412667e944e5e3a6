import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import { NativeConnection, Worker, type BundleOptions, type InjectedSinks, type WorkerInterceptors } from '@temporalio/worker';
import type { OrderActivities } from '../activities';

/** Where `npm run build` writes the prebuilt workflow bundle (used in production images). */
export const PREBUILT_BUNDLE = resolve(__dirname, '..', '..', 'dist', 'workflow-bundle.js');

/**
 * Workflow interceptor modules compiled into every workflow bundle: the prebuilt one (scripts/bundle-workflows.ts),
 * the test one (scripts/run-tests.ts) and the one bundled at start. A prebuilt bundle cannot take interceptor
 * modules at Worker.create, so the bundle always holds src/workflows/interceptors.ts, which turns OpenTelemetry's
 * workflow interceptor on only for runs the client started traced (see TRACED_MEMO_KEY there). Those runs hand
 * their spans to the `exporter` sink; a worker without tracing registers DISCARD_WORKFLOW_SPANS for them, since
 * an unregistered sink logs an error for every call.
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../workflows/interceptors')];

/** The bundle's entry: every workflow type the worker serves (src/workflows/index.ts). */
const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * Modules the worker evaluates once and shares between runs (the bundler's `preloadModules`) instead of evaluating
 * them again for every run it creates or replays: all of src/workflows, through its entry and the interceptor
 * module. Safe because they hold no state of their own at module scope (every `let` and object lives inside a
 * run's function; a lint rule on src/workflows keeps it so), and the SDK freezes what they export. Saves each run
 * the modules' evaluation: ~5 % of a replayed order's CPU (`npm run bench preload`, docs/benchmarks.md).
 */
export const WORKFLOW_PRELOAD_MODULES = [WORKFLOWS_PATH, ...WORKFLOW_INTERCEPTOR_MODULES];

/** How every workflow bundle is built: the workflow types plus WORKFLOW_INTERCEPTOR_MODULES, WORKFLOW_PRELOAD_MODULES preloaded. */
export function workflowBundleOptions(): Required<Pick<BundleOptions, 'workflowsPath' | 'workflowInterceptorModules' | 'preloadModules'>> {
  return { workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES, preloadModules: WORKFLOW_PRELOAD_MODULES };
}

/** The workflow span sink when tracing is off (see WORKFLOW_INTERCEPTOR_MODULES). */
export const DISCARD_WORKFLOW_SPANS: InjectedSinks<OpenTelemetrySinks> = { exporter: { export: { fn: () => undefined } } };

/** Options for the order worker. */
export interface OrderWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: OrderActivities;
  /** A prebuilt bundle; default WORKFLOW_BUNDLE_PATH, else dist/workflow-bundle.js when present, else bundle now. */
  bundlePath?: string;
  /** How long in-flight activities may finish on shutdown before they are cancelled (SDK default is 0). */
  shutdownGraceTime?: string;
  /** Activity (and client) interceptors, e.g. tracing's; workflow interceptors are in the bundle. */
  interceptors?: Omit<WorkerInterceptors, 'workflowModules'>;
  /** Sinks, e.g. tracing's `exporter`; without one, workflow spans are discarded. */
  sinks?: InjectedSinks<OpenTelemetrySinks>;
  /** Workflows kept in the sticky cache (TEMPORAL_MAX_CACHED_WORKFLOWS); undefined: the SDK's heap-based default (tests). */
  maxCachedWorkflows?: number;
}

/** Creates (does not run) the worker that executes order workflows and their activities. */
export async function createOrderWorker(opts: OrderWorkerOptions): Promise<Worker> {
  const bundlePath = opts.bundlePath ?? process.env.WORKFLOW_BUNDLE_PATH ?? (existsSync(PREBUILT_BUNDLE) ? PREBUILT_BUNDLE : undefined);
  const bundle = workflowBundleOptions();
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: opts.activities,
    // A prebuilt bundle was built with workflowBundleOptions() (the worker would ignore these options with it).
    ...(bundlePath
      ? { workflowBundle: { codePath: bundlePath } }
      : { workflowsPath: bundle.workflowsPath, bundlerOptions: { preloadModules: bundle.preloadModules } }),
    interceptors: { ...opts.interceptors, ...(bundlePath ? {} : { workflowModules: bundle.workflowInterceptorModules }) },
    sinks: { ...DISCARD_WORKFLOW_SPANS, ...opts.sinks },
    shutdownGraceTime: (opts.shutdownGraceTime ?? '30s') as '30s',
    maxCachedWorkflows: opts.maxCachedWorkflows, // undefined: the SDK's default
  });
}
