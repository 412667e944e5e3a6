// OpenTelemetry tracing through Temporal's interceptors: with OTEL_EXPORTER_OTLP_ENDPOINT set, one paid order
// produces client, workflow and activity spans, exported as OTLP/HTTP JSON to a stand-in collector. The OTel
// globals (context manager, propagator) and the SDK runtime are process-wide: node:test runs this file in its own
// process, and the product's stop() unregisters them again.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { orderTiming } from '../../src/config';
import { ORDER_WORKFLOW_TYPE, orderWorkflowId } from '../../src/workflows/messages';
import type { OrderWorkflowInput } from '../../src/workflows/order';
import { startHarness, type Harness } from '../helpers/harness';

interface ExportedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

/** Accepts POST /v1/traces like an OTLP/HTTP collector and keeps what it received. */
class FakeCollector {
  readonly requests: { path: string; contentType: string; contentLength: number; body: string }[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void buffer(req).then((body) => {
        this.requests.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', contentLength: body.length, body: body.toString('utf8') });
        res.writeHead(req.method === 'POST' && req.url === '/v1/traces' ? 200 : 404, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Every span of every JSON export request (resourceSpans → scopeSpans → spans). */
  spans(): (ExportedSpan & { serviceName?: string })[] {
    type Attr = { key: string; value: { stringValue?: string } };
    type Body = { resourceSpans?: { resource?: { attributes?: Attr[] }; scopeSpans?: { spans?: ExportedSpan[] }[] }[] };
    return this.requests.flatMap((r) =>
      ((JSON.parse(r.body) as Body).resourceSpans ?? []).flatMap((rs) => {
        const serviceName = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue;
        return (rs.scopeSpans ?? []).flatMap((ss) => (ss.spans ?? []).map((s) => ({ ...s, serviceName })));
      }),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('OpenTelemetry tracing', () => {
  let collector: FakeCollector;
  let h: Harness | undefined;
  before(async () => {
    collector = await new FakeCollector().start();
  });
  after(async () => {
    await h?.stop();
    await collector.close();
  });

  test('a paid order exports client, workflow and activity spans to the OTLP endpoint; a run started untraced records no workflow spans', async () => {
    // A short refund watch lets the workflow complete, so its RunWorkflow span ends (spans are exported when they end).
    h = await startHarness({ OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/`, OTEL_SERVICE_NAME: 'ppf-tracing-test', WATCH_AFTER_FULFILMENT: '1s' });
    const { orderId } = await h.simulator.control.checkout({ amount: { currency_code: 'USD', value: '25.00' } });
    await h.waitForState(orderId, 'fulfilled');
    const connection = await Connection.connect({ address: h.temporalAddress });
    try {
      // A plain client (no tracing interceptors, no TRACED_MEMO_KEY memo) starts the second order's run before its
      // webhook arrives; the intake's traced start is then refused and only signals it.
      const plain = new Client({ connection });
      await plain.workflow.getHandle(orderWorkflowId(orderId)).result();
      const untraced = await h.simulator.control.checkout({ amount: { currency_code: 'USD', value: '26.00' }, approve: false });
      await plain.workflow.start(ORDER_WORKFLOW_TYPE, {
        workflowId: orderWorkflowId(untraced.orderId),
        taskQueue: h.config.TEMPORAL_TASK_QUEUE,
        args: [{ orderId: untraced.orderId, autoCapture: true, timing: orderTiming(h.config) } satisfies OrderWorkflowInput],
      });
      await h.simulator.control.approveOrder(untraced.orderId);
      await h.waitForState(untraced.orderId, 'fulfilled');
      await plain.workflow.getHandle(orderWorkflowId(untraced.orderId)).result();
    } finally {
      await connection.close();
    }
    const harness = h;
    h = undefined;
    await harness.stop(); // drains the worker, then flushes the batched spans

    assert.ok(collector.requests.length > 0, 'the exporter sent at least one request');
    for (const r of collector.requests) {
      assert.equal(r.path, '/v1/traces');
      assert.match(r.contentType, /^application\/json/);
      assert.ok(r.contentLength > 0);
    }
    const spans = collector.spans();
    const names = new Set(spans.map((s) => s.name));
    for (const name of [
      'StartWorkflow:orderWorkflowV4', // client interceptor (the intake starting the order on its approval webhook)
      'SignalWorkflow:paypalEvent', // client interceptor (the intake signalling the capture-completed webhook to the open run)
      'RunWorkflow:orderWorkflowV4', // workflow interceptor, from the bundle, through the exporter sink
      'StartActivity:captureOrder',
      'RunActivity:captureOrder', // activity interceptor
      'StartActivity:updateService',
      'RunActivity:updateService',
    ]) {
      assert.ok(names.has(name), `span ${name} exported (got: ${[...names].sort().join(', ')})`);
    }
    assert.ok(spans.every((s) => s.serviceName === 'ppf-tracing-test'), 'every span carries OTEL_SERVICE_NAME');

    // One trace: the activity ran as a child of the workflow's StartActivity span, the workflow under the client call.
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const run = spans.find((s) => s.name === 'RunActivity:updateService');
    const start = run?.parentSpanId ? byId.get(run.parentSpanId) : undefined;
    assert.equal(start?.name, 'StartActivity:updateService', 'RunActivity is parented by StartActivity');
    const workflowRun = spans.find((s) => s.name === 'RunWorkflow:orderWorkflowV4');
    assert.equal(start?.traceId, workflowRun?.traceId, 'activity and workflow spans share the trace');
    const clientStart = spans.find((s) => s.name === 'StartWorkflow:orderWorkflowV4' && s.traceId === workflowRun?.traceId);
    assert.ok(clientStart, 'the workflow run belongs to the trace of the client call that started it');

    // The untraced run executed the same activities (RunActivity spans come from the worker's activity
    // interceptor, outside the sandbox) but its workflow code ran without OpenTelemetry's interceptor.
    const count = (name: string): number => spans.filter((s) => s.name === name).length;
    assert.equal(count('RunActivity:captureOrder'), 2, 'both orders were captured');
    assert.equal(count('RunWorkflow:orderWorkflowV4'), 1, 'only the traced run recorded a workflow span');
    assert.equal(count('StartActivity:captureOrder'), 1, 'only the traced run recorded StartActivity spans');
  });
});
