// The event router's memory of recorded events: a PayPal event this process had Temporal record is not handed to
// Temporal again (duplicate deliveries, sweeps re-offering their lookback), copies in flight together share one
// hand-off, and only a confirmed recording is remembered, within a bound.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WebhookEvent } from '../../src/paypal/events';
import { createEventRouter, type RouteResult } from '../../src/routing/event-router';
import { OrderClosedError, type PublishedOrder } from '../../src/temporal/orders-client';

const approved = (id: string, orderId: string) => ({ id, event_type: 'CHECKOUT.ORDER.APPROVED', resource: { id: orderId } }) as WebhookEvent;

const captureCompleted = (id: string, orderId: string, captureId: string) =>
  ({ id, event_type: 'PAYMENT.CAPTURE.COMPLETED', resource: { id: captureId, supplementary_data: { related_ids: { order_id: orderId } } } }) as WebhookEvent;
const refunded = (id: string, captureId: string) =>
  ({ id, event_type: 'PAYMENT.CAPTURE.REFUNDED', resource: { id: `R-${id}`, links: [{ rel: 'up', href: `https://api.paypal.test/v2/payments/captures/${captureId}` }] } }) as WebhookEvent;

/**
 * A router whose Temporal side is a list of hand-offs; `answer` decides each one's outcome, `published` what each
 * order's run publishes (OrdersClient.publishedOrder; `described` lists the orders asked).
 */
function routerWith(opts: { remember?: number; answer?: (orderId: string) => Promise<void>; published?: (orderId: string) => Promise<PublishedOrder | undefined> } = {}) {
  const handedOver: string[] = [];
  const described: string[] = [];
  const router = createEventRouter({
    orders: {
      deliverEvent: async (orderId, hint) => {
        handedOver.push(hint.eventId);
        await (opts.answer?.(orderId) ?? Promise.resolve());
        return { workflowId: `paypal-order-${orderId}` };
      },
      ...(opts.published ? { publishedOrder: (orderId: string) => (described.push(orderId), opts.published!(orderId)) } : {}),
    },
    orderIdForCapture: (captureId) => Promise.resolve(captureId === 'CAP1' ? 'ORDER1' : undefined),
    remember: opts.remember,
  });
  return { router, handedOver, described };
}

describe('event router: recorded events', () => {
  test('a copy of an event recorded before is accepted without a hand-off to Temporal', async () => {
    const { router, handedOver } = routerWith({ remember: 10 });
    assert.deepEqual(await router.route(approved('WH-1', 'ORDER1')), { outcome: 'accepted', orderId: 'ORDER1', workflowId: 'paypal-order-ORDER1' });
    assert.deepEqual(await router.route(approved('WH-1', 'ORDER1')), { outcome: 'accepted', orderId: 'ORDER1', workflowId: 'paypal-order-ORDER1', alreadyRecorded: true });
    assert.deepEqual(handedOver, ['WH-1']);
  });

  test('copies in flight together share one hand-off and its outcome', async () => {
    let release!: () => void;
    const { router, handedOver } = routerWith({ remember: 0, answer: () => new Promise<void>((resolve) => (release = resolve)) });
    const copies = [router.route(approved('WH-2', 'ORDER2')), router.route(approved('WH-2', 'ORDER2')), router.route(approved('WH-2', 'ORDER2'))];
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(handedOver, ['WH-2'], 'one hand-off while it is in flight');
    release();
    const results = await Promise.all(copies);
    assert.deepEqual(results.map((r) => r.outcome), ['accepted', 'accepted', 'accepted']);
    assert.deepEqual(results.map((r) => r.outcome === 'accepted' && r.alreadyRecorded === true), [false, true, true]);
  });

  test('a failed recording is shared by its copies in flight, and not remembered: the next copy is handed over again', async () => {
    let fail = true;
    const { router, handedOver } = routerWith({ remember: 10, answer: () => (fail ? Promise.reject(new Error('deadline exceeded')) : Promise.resolve()) });
    const [first, second] = await Promise.all([router.route(approved('WH-3', 'ORDER3')), router.route(approved('WH-3', 'ORDER3'))]);
    assert.equal(first.outcome, 'temporal_unavailable');
    assert.equal(second.outcome, 'temporal_unavailable', 'a copy never answers 2xx for a recording that failed');
    fail = false;
    const retried: RouteResult = await router.route(approved('WH-3', 'ORDER3'));
    assert.deepEqual(retried, { outcome: 'accepted', orderId: 'ORDER3', workflowId: 'paypal-order-ORDER3' });
    assert.deepEqual(handedOver, ['WH-3', 'WH-3']);
  });

  test('an event about a closed order is not remembered', async () => {
    const { router, handedOver } = routerWith({ remember: 10, answer: () => Promise.reject(new OrderClosedError('ORDER4')) });
    assert.equal((await router.route(approved('WH-4', 'ORDER4'))).outcome, 'ignored');
    assert.equal((await router.route(approved('WH-4', 'ORDER4'))).outcome, 'ignored');
    assert.deepEqual(handedOver, ['WH-4', 'WH-4']);
  });

  test('the memory is bounded: past `remember` events, the oldest is forgotten (and handed over again if it returns)', async () => {
    const { router, handedOver } = routerWith({ remember: 2 });
    for (const id of ['WH-A', 'WH-B', 'WH-C']) await router.route(approved(id, `ORDER-${id}`));
    await router.route(approved('WH-C', 'ORDER-WH-C'));
    await router.route(approved('WH-B', 'ORDER-WH-B'));
    await router.route(approved('WH-A', 'ORDER-WH-A'));
    assert.deepEqual(handedOver, ['WH-A', 'WH-B', 'WH-C', 'WH-A']);
  });

  test('remember 0 keeps no memory: a later copy is handed over again (the workflow drops it)', async () => {
    const { router, handedOver } = routerWith({ remember: 0 });
    await router.route(approved('WH-5', 'ORDER5'));
    await router.route(approved('WH-5', 'ORDER5'));
    assert.deepEqual(handedOver, ['WH-5', 'WH-5']);
  });
});

describe('event router: events the order already reflects (unlessReflected, the sweep)', () => {
  const fulfilled = (): Promise<PublishedOrder> => Promise.resolve({ running: true, state: 'fulfilled', captureId: 'CAP1' });
  const sweep = { unlessReflected: true };

  const reflected = { outcome: 'accepted', orderId: 'ORDER1', workflowId: 'paypal-order-ORDER1', alreadyReflected: true };

  test('a fulfilled order\'s approval and capture are not handed over, and remembered', async () => {
    const { router, handedOver, described } = routerWith({ remember: 10, published: fulfilled });
    assert.deepEqual(await router.route(approved('WH-10', 'ORDER1'), sweep), reflected);
    assert.deepEqual(await router.route(captureCompleted('WH-11', 'ORDER1', 'CAP1'), sweep), reflected);
    assert.deepEqual(handedOver, []);
    assert.deepEqual(await router.route(approved('WH-10', 'ORDER1'), sweep), reflected);
    assert.deepEqual(described, ['ORDER1', 'ORDER1'], 'a remembered event costs no second describe');
  });

  test('an event found reflected was not recorded: the intake still hands it over, and never shares the skip', async () => {
    const { router, handedOver } = routerWith({ remember: 10, published: fulfilled });
    assert.deepEqual(await router.route(approved('WH-13', 'ORDER1'), sweep), reflected);
    assert.deepEqual(await router.route(approved('WH-13', 'ORDER1')), { outcome: 'accepted', orderId: 'ORDER1', workflowId: 'paypal-order-ORDER1' });
    const [fromSweep, fromIntake] = await Promise.all([router.route(approved('WH-14', 'ORDER1'), sweep), router.route(approved('WH-14', 'ORDER1'))]);
    assert.deepEqual(fromSweep, reflected);
    assert.deepEqual(fromIntake, { outcome: 'accepted', orderId: 'ORDER1', workflowId: 'paypal-order-ORDER1' });
    assert.deepEqual(handedOver, ['WH-13', 'WH-14'], 'each PayPal delivery recorded before its 2xx');
  });

  test('the intake (no option) hands over at once, without a describe', async () => {
    const { router, handedOver, described } = routerWith({ remember: 10, published: fulfilled });
    assert.deepEqual(await router.route(approved('WH-12', 'ORDER1')), { outcome: 'accepted', orderId: 'ORDER1', workflowId: 'paypal-order-ORDER1' });
    assert.deepEqual(handedOver, ['WH-12']);
    assert.deepEqual(described, []);
  });

  test('a refund costs no describe and is handed over; so is anything the order does not show yet', async () => {
    const cases: [string, WebhookEvent, () => Promise<PublishedOrder | undefined>][] = [
      ['a refund of a fulfilled order', refunded('WH-20', 'CAP1'), fulfilled],
      ['another capture', captureCompleted('WH-21', 'ORDER1', 'CAP2'), fulfilled],
      ['an order not fulfilled yet', approved('WH-22', 'ORDER1'), () => Promise.resolve({ running: true, state: 'capturing' })],
      ['no workflow yet', approved('WH-23', 'ORDER1'), () => Promise.resolve(undefined)],
      ['a closed run', approved('WH-24', 'ORDER1'), () => Promise.resolve({ running: false, state: 'fulfilled', captureId: 'CAP1' })],
      ['the describe failed', approved('WH-25', 'ORDER1'), () => Promise.reject(new Error('deadline exceeded'))],
    ];
    for (const [name, event, published] of cases) {
      const { router, handedOver, described } = routerWith({ remember: 10, published });
      const result = await router.route(event, sweep);
      assert.deepEqual(result, { outcome: 'accepted', orderId: 'ORDER1', workflowId: 'paypal-order-ORDER1' }, name);
      assert.deepEqual(handedOver, [event.id], name);
      assert.equal(described.length, event.event_type === 'PAYMENT.CAPTURE.REFUNDED' ? 0 : 1, name);
    }
  });
});
