// Workflow interceptors compiled into every workflow bundle (WORKFLOW_INTERCEPTOR_MODULES in src/temporal/worker.ts).
import { workflowInfo, type WorkflowInterceptors } from '@temporalio/workflow';

/**
 * Memo key the client sets to `true` on workflows it starts while tracing is on (OTEL_EXPORTER_OTLP_ENDPOINT).
 * Only those runs load and run OpenTelemetry's workflow interceptor: it records a span for every activity, signal
 * and timer inside the sandbox, which cost ~30 ms of worker CPU per order and doubled the worker's RSS when every
 * run had it and nothing exported the spans (`npm run bench e2e`, docs/benchmarks.md). The interceptor only adds
 * spans and headers, never commands, so a run replays the same with or without it (the replay test replays
 * histories recorded when every run had it).
 */
export const TRACED_MEMO_KEY = 'traced';

type OtelInterceptors = Required<WorkflowInterceptors>;
type Kind = keyof OtelInterceptors;

/**
 * The interceptors of one run. The SDK builds them before it decodes the run's memo, so each one decides at call
 * time: until the memo says "traced" every method just calls `next`; from then on it forwards to OpenTelemetry's
 * interceptor, created on first use. The first call that can see the memo is `execute`, which wraps the whole run.
 */
export function interceptors(): WorkflowInterceptors {
  let otel: OtelInterceptors | undefined;
  const traced = (): OtelInterceptors | undefined => {
    if (workflowInfo().memo?.[TRACED_MEMO_KEY] !== true) return undefined;
    // Required lazily: every module a run loads is evaluated again for that run (reusable V8 context), so a static
    // import would build OpenTelemetry's tracer provider for untraced runs too.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    otel ??= (require('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors') as typeof import('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')).interceptors() as OtelInterceptors;
    return otel;
  };
  const forward = <K extends Kind>(kind: K): OtelInterceptors[K][number] =>
    new Proxy({}, {
      get: (_target, method) => (input: unknown, next: (input: unknown) => unknown) => {
        const target = traced()?.[kind][0] as Record<PropertyKey, ((input: unknown, next: (input: unknown) => unknown) => unknown) | undefined> | undefined;
        const fn = target?.[method];
        return fn ? fn.call(target, input, next) : next(input);
      },
    });
  return { inbound: [forward('inbound')], outbound: [forward('outbound')], internals: [forward('internals')] };
}
