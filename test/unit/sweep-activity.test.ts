// The sweep activity alone (no server): paging by `next` links, counting, heartbeat-based resume, and which
// failures retry the activity versus leave an event to the next sweep. Plus the sweep settings' validation.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createSweepActivities, SWEEP_LISTING_REJECTED, SWEEP_TEMPORAL_UNAVAILABLE, type SweepRequest, type SweepSummary } from '../../src/activities/sweep';
import { ConfigError, loadConfig, loadSweepSettings } from '../../src/config';
import { PayPalApiError } from '../../src/paypal/client';
import { createEventRouter } from '../../src/routing/event-router';
import type { PublishedOrder } from '../../src/temporal/orders-client';

const WINDOW = { startTime: '2026-01-01T00:00:00Z', endTime: '2026-01-01T06:00:00Z' };
const approved = (id: string, orderId: string) => ({ id, event_type: 'CHECKOUT.ORDER.APPROVED', resource: { id: orderId } });
const refunded = (id: string, captureId: string) => ({
  id,
  event_type: 'PAYMENT.CAPTURE.REFUNDED',
  resource: { id: `R-${id}`, links: [{ rel: 'up', href: `https://api-m.paypal.com/v2/payments/captures/${captureId}` }] },
});
const page = (events: unknown[], next?: string) => ({ events: events as never[], links: next ? [{ rel: 'next', href: next }] : [] });

/** A fake PayPal listing with three pages and a router whose Temporal side records (or refuses) deliveries. */
function setup(opts: { temporalDownFor?: string; captureLookup?: (id: string) => Promise<string | undefined>; remember?: number; published?: Record<string, PublishedOrder> } = {}) {
  const pages: Record<string, ReturnType<typeof page>> = {
    first: page([approved('E1', 'ORDER1'), { id: 'E2', event_type: 'BILLING.PLAN.CREATED', resource: {} }], 'https://api-m.paypal.com/v1/notifications/webhooks-events?next_id=E3'),
    E3: page([refunded('E3', 'CAP1'), approved('E1', 'ORDER1')], 'https://api-m.paypal.com/v1/notifications/webhooks-events?next_id=E4'),
    E4: page([approved('E4', 'ORDER4'), { id: 'E5', event_type: 'CHECKOUT.ORDER.APPROVED', resource: 'not an object' }]),
  };
  const requested: string[] = [];
  const delivered: { orderId: string; eventId: string }[] = [];
  const paypal = {
    listWebhookEvents: (q: { startTime: string; endTime: string; pageSize?: number }) => {
      requested.push(`list ${q.startTime} ${q.endTime} ${q.pageSize}`);
      return Promise.resolve(pages.first!);
    },
    nextWebhookEventsPage: (href: string) => {
      const id = new URL(href).searchParams.get('next_id')!;
      requested.push(`next ${id}`);
      return Promise.resolve(pages[id]!);
    },
  };
  let down = opts.temporalDownFor;
  const router = createEventRouter({
    orders: {
      deliverEvent: (orderId, hint) => {
        if (orderId === down) return Promise.reject(new Error('deadline exceeded'));
        delivered.push({ orderId, eventId: hint.eventId });
        return Promise.resolve({ workflowId: `paypal-order-${orderId}` });
      },
      publishedOrder: (orderId) => Promise.resolve(opts.published?.[orderId]),
    },
    orderIdForCapture: opts.captureLookup ?? ((id) => Promise.resolve(id === 'CAP1' ? 'ORDER1' : undefined)),
    remember: opts.remember,
  });
  return { activities: createSweepActivities({ paypal, router }), requested, delivered, recover: () => (down = undefined) };
}

/** The activity as a free function (MockActivityEnvironment calls it without its object). */
const sweepOf = (activities: ReturnType<typeof createSweepActivities>) => (w: SweepRequest) => activities.sweepWebhookEvents(w);

describe('sweepWebhookEvents', () => {
  test('follows next links, routes each handled event once, counts the rest, heartbeats between pages', async () => {
    const { activities, requested, delivered } = setup();
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const summary = await env.run(sweepOf(activities), WINDOW);
    assert.deepEqual(requested, [`list ${WINDOW.startTime} ${WINDOW.endTime} 100`, 'next E3', 'next E4']);
    assert.deepEqual(delivered, [
      { orderId: 'ORDER1', eventId: 'E1' },
      { orderId: 'ORDER1', eventId: 'E3' }, // the refund, routed through its capture like the intake does
      { orderId: 'ORDER4', eventId: 'E4' },
    ]);
    assert.deepEqual(summary, { ...WINDOW, listed: 6, delivered: 3, alreadyRecorded: 0, alreadyReflected: 0, ignored: 2, failed: 0, pages: 3 });
    assert.equal(beats.length, 2, 'one heartbeat per page boundary');
  });

  test('a later sweep over the same window hands nothing to Temporal again: the router remembers what it recorded', async () => {
    const { activities, delivered } = setup({ remember: 100 });
    await new MockActivityEnvironment().run(sweepOf(activities), WINDOW);
    assert.equal(delivered.length, 3);
    delivered.length = 0;
    const again = await new MockActivityEnvironment().run(sweepOf(activities), WINDOW);
    assert.deepEqual(delivered, [], 'no signal for an event this process had recorded');
    assert.deepEqual(again, { ...WINDOW, listed: 6, delivered: 0, alreadyRecorded: 3, alreadyReflected: 0, ignored: 2, failed: 0, pages: 3 });
  });

  test('a fulfilled order\'s approval is not handed over (a sweep in a process that did not record it); its refund is', async () => {
    const { activities, delivered } = setup({ remember: 100, published: { ORDER1: { running: true, state: 'fulfilled', captureId: 'CAP1' } } });
    const summary = await new MockActivityEnvironment().run(sweepOf(activities), WINDOW);
    assert.deepEqual(delivered, [{ orderId: 'ORDER1', eventId: 'E3' }, { orderId: 'ORDER4', eventId: 'E4' }]);
    assert.deepEqual(summary, { ...WINDOW, listed: 6, delivered: 2, alreadyRecorded: 0, alreadyReflected: 1, ignored: 2, failed: 0, pages: 3 });
  });

  test('heartbeats while it waits, carrying the last page boundary\'s progress, and stops when done', async () => {
    const next = 'https://api-m.paypal.com/v1/notifications/webhooks-events?next_id=E9';
    const slow = createSweepActivities({
      paypal: {
        listWebhookEvents: () => Promise.resolve(page([approved('E8', 'ORDER8')], next)),
        nextWebhookEventsPage: async () => {
          await new Promise((r) => setTimeout(r, 150)); // a slow second page
          return page([approved('E9', 'ORDER9')]);
        },
      },
      router: createEventRouter({ orders: { deliverEvent: () => Promise.resolve({ workflowId: 'w' }) }, orderIdForCapture: () => Promise.resolve(undefined) }),
      aliveEveryMs: 20,
    });
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    await env.run(sweepOf(slow), WINDOW);
    assert.ok(beats.length >= 4, `the page boundary's heartbeat and more while the second page was slow: ${beats.length}`);
    for (const beat of beats.slice(1)) assert.equal((beat as { next?: string }).next, next, 'each carries where a retry would resume');
    const after = beats.length;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(beats.length, after, 'no heartbeat once the attempt is over');
  });

  test('PayPal unavailable for a capture lookup: counted as failed, the sweep goes on', async () => {
    const { activities, delivered } = setup({ captureLookup: () => Promise.reject(new PayPalApiError('boom', 503, undefined, undefined)) });
    const summary: SweepSummary = await new MockActivityEnvironment().run(sweepOf(activities), WINDOW);
    assert.equal(summary.failed, 1);
    assert.equal(delivered.length, 2);
  });

  test('Temporal unavailable: a retryable failure; the retry resumes at the unfinished page', async () => {
    const { activities, delivered, recover } = setup({ temporalDownFor: 'ORDER4' });
    const env = new MockActivityEnvironment();
    let last: unknown;
    env.on('heartbeat', (d: unknown) => (last = d));
    await assert.rejects(env.run(sweepOf(activities), WINDOW), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure);
      assert.equal(err.type, SWEEP_TEMPORAL_UNAVAILABLE);
      assert.equal(err.nonRetryable, false);
      return true;
    });
    recover();
    delivered.length = 0;
    const summary = await new MockActivityEnvironment({ heartbeatDetails: last, attempt: 2 }).run(sweepOf(activities), WINDOW);
    assert.deepEqual(delivered, [{ orderId: 'ORDER4', eventId: 'E4' }], 'only the unfinished page is redone');
    assert.deepEqual(summary, { ...WINDOW, listed: 6, delivered: 3, alreadyRecorded: 0, alreadyReflected: 0, ignored: 2, failed: 0, pages: 3 });
  });

  test('without an end, the window ends when the listing starts; a resumed attempt also lists what came since', async () => {
    // A run that waited in a busy task queue, or retried for long, still sweeps up to the present, so the next
    // run's window leaves no gap.
    const { activities, requested, recover } = setup({ temporalDownFor: 'ORDER4' });
    const env = new MockActivityEnvironment();
    let last: unknown;
    env.on('heartbeat', (d: unknown) => (last = d));
    const before = new Date().toISOString();
    await assert.rejects(env.run(sweepOf(activities), { startTime: WINDOW.startTime }));
    const after = new Date().toISOString();
    const firstEnd = requested[0]!.split(' ')[2]!;
    assert.ok(before <= firstEnd && firstEnd <= after, `listing ended at ${firstEnd}, between ${before} and ${after}`);
    recover();
    await new Promise((resolve) => setTimeout(resolve, 5)); // so the retry starts later than the first listing ended
    requested.length = 0;
    const result: SweepSummary & { startTime: string; endTime: string } = await new MockActivityEnvironment({ heartbeatDetails: last, attempt: 2 }).run(sweepOf(activities), { startTime: WINDOW.startTime });
    // The first attempt's listing is finished from its cursor, then the time since is listed from where it ended.
    assert.equal(requested[0], 'next E4');
    const [, since, until] = requested[1]!.split(' ');
    assert.equal(since, firstEnd);
    assert.ok(until! > firstEnd, `the second part ends at the retry's start (${until})`);
    assert.deepEqual({ startTime: result.startTime, endTime: result.endTime }, { startTime: WINDOW.startTime, endTime: until });
  });

  test('PayPal refusing the listing (4xx) is not retried; 5xx is', async () => {
    for (const [status, nonRetryable] of [[400, true], [503, false]] as const) {
      const activities = createSweepActivities({
        paypal: {
          listWebhookEvents: () => Promise.reject(new PayPalApiError('no', status, undefined, undefined)),
          nextWebhookEventsPage: () => Promise.reject(new Error('unused')),
        },
        router: { route: () => Promise.reject(new Error('unused')) },
      });
      await assert.rejects(new MockActivityEnvironment().run(sweepOf(activities), WINDOW), (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure);
        assert.equal(err.nonRetryable, nonRetryable);
        if (nonRetryable) assert.equal(err.type, SWEEP_LISTING_REJECTED);
        return true;
      });
    }
  });
});

describe('sweep settings', () => {
  test('defaults: every 15 minutes over the last 6 hours', () => {
    const c = loadConfig({});
    assert.equal(c.WEBHOOK_SWEEP_INTERVAL, 15 * 60_000);
    assert.equal(c.WEBHOOK_SWEEP_LOOKBACK, 6 * 3_600_000);
  });

  test('off and 0 disable the sweep; the lookback must exceed the interval', () => {
    assert.equal(loadSweepSettings({ WEBHOOK_SWEEP_INTERVAL: 'off' }).WEBHOOK_SWEEP_INTERVAL, 0);
    assert.equal(loadSweepSettings({ WEBHOOK_SWEEP_INTERVAL: '0' }).WEBHOOK_SWEEP_INTERVAL, 0);
    assert.equal(loadSweepSettings({ WEBHOOK_SWEEP_INTERVAL: '5m', WEBHOOK_SWEEP_LOOKBACK: '1h' }).WEBHOOK_SWEEP_LOOKBACK, 3_600_000);
    assert.throws(() => loadConfig({ WEBHOOK_SWEEP_INTERVAL: '2h', WEBHOOK_SWEEP_LOOKBACK: '1h' }), /WEBHOOK_SWEEP_LOOKBACK: must be longer/);
    assert.throws(() => loadSweepSettings({ WEBHOOK_SWEEP_INTERVAL: 'soon' }), ConfigError);
  });
});
