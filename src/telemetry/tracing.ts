import { context, diag, DiagLogLevel, propagation, trace, type DiagLogFunction } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { ClientInterceptors } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks, WorkerInterceptors } from '@temporalio/worker';
import type { Logger } from '../logger';

/** Options of {@link setupTracing}. */
export interface TracingOptions {
  /** OTLP/HTTP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`, e.g. http://collector:4318); unset = tracing off. */
  endpoint: string | undefined;
  /** `service.name` of every span (`OTEL_SERVICE_NAME`). */
  serviceName: string;
  logger: Logger;
}

/** What the Temporal client and worker need to trace; `shutdown()` flushes the spans still buffered. */
export interface Tracing {
  /** Client side: StartWorkflow / SignalWorkflow / SignalWithStartWorkflow / StartWorkflowUpdate / QueryWorkflow spans, context sent in headers. */
  clientInterceptors: ClientInterceptors;
  /**
   * Worker side: RunActivity spans (children of the workflow's StartActivity span) and trace IDs on activity logs.
   * The workflow side (RunWorkflow, StartActivity, HandleSignal... spans) is not here: it is compiled into every
   * workflow bundle (src/workflows/interceptors.ts), runs for workflows the client started traced, and reports
   * through `sinks`.
   */
  workerInterceptors: WorkerInterceptors;
  /** The `exporter` sink that receives the spans the workflow interceptor records inside the workflow sandbox. */
  sinks: InjectedSinks<OpenTelemetrySinks>;
  /** Exports what is still buffered, then stops the provider (call after the worker has drained). */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry tracing through Temporal's interceptors when an OTLP endpoint is configured; returns
 * undefined otherwise (nothing is registered, nothing is exported).
 *
 * Spans are batched (BatchSpanProcessor) and sent as OTLP/HTTP JSON to `<endpoint>/v1/traces`. The provider also
 * registers the process-wide context manager and W3C propagator the interceptors rely on to parent activity spans
 * under their workflow's spans; `shutdown()` unregisters them again, so a later setupTracing in the same process
 * (tests) starts clean.
 */
export function setupTracing(opts: TracingOptions): Tracing | undefined {
  if (!opts.endpoint) return undefined;
  const log = opts.logger.child({ component: 'tracing' });
  const url = `${opts.endpoint.replace(/\/+$/, '')}/v1/traces`;

  // Export failures (collector down, 4xx) reach OpenTelemetry's diagnostic logger; route it into ours, warnings up.
  const diagLog = (level: 'error' | 'warn' | 'info' | 'debug'): DiagLogFunction => (message, ...args) => log[level]({ args }, message);
  diag.setLogger({ error: diagLog('error'), warn: diagLog('warn'), info: diagLog('info'), debug: diagLog('debug'), verbose: diagLog('debug') }, DiagLogLevel.WARN);

  // 'service.name' is semantic-conventions' ATTR_SERVICE_NAME (not a direct dependency for one string).
  const resource = Resource.default().merge(new Resource({ 'service.name': opts.serviceName }));
  const processor = new BatchSpanProcessor(new OTLPTraceExporter({ url }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register();
  const tracer = provider.getTracer('paypal-fulfilment');
  log.info({ url, serviceName: opts.serviceName }, 'OpenTelemetry tracing on');

  let stopped: Promise<void> | undefined;
  return {
    clientInterceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer })] },
    workerInterceptors: {
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer }), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
    },
    // Workflow spans go through the same processor (batched, same resource) as the worker's own spans.
    sinks: { exporter: makeWorkflowExporter(processor, resource) },
    shutdown: () =>
      (stopped ??= (async () => {
        try {
          await provider.shutdown(); // flushes the batch processor, then shuts the exporter down
        } finally {
          trace.disable();
          context.disable();
          propagation.disable();
          diag.disable();
        }
      })()),
  };
}
