// orderAlreadyReflects: which webhooks a fulfilled order, as its run publishes it (state, capture), has nothing to
// learn from. The webhook sweep skips those instead of signalling them again; the machine confirms they are no news.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HANDLED_EVENT_TYPES } from '../../src/paypal/events';
import { CURRENT_MACHINE_OPTIONS, orderAlreadyReflects, transition, webhooksReceived, type OrderState } from '../../src/workflows/order-machine';
import { at, captured, NOW } from '../helpers/order-data';

const STATES: OrderState[] = ['awaiting_payment', 'capturing', 'payment_pending', 'fulfilling', 'pending_service_update', 'needs_review', 'fulfilled', 'cancelled', 'refunded', 'revoked'];
const published = { state: 'fulfilled', captureId: 'CAP1' };

describe('orderAlreadyReflects', () => {
  test('a fulfilled order reflects its approval, its completion and the completion of the capture it holds', () => {
    assert.equal(orderAlreadyReflects(published, { eventType: 'CHECKOUT.ORDER.APPROVED', resourceId: 'ORDER1' }), true);
    assert.equal(orderAlreadyReflects(published, { eventType: 'CHECKOUT.ORDER.COMPLETED', resourceId: 'ORDER1' }), true);
    assert.equal(orderAlreadyReflects(published, { eventType: 'PAYMENT.CAPTURE.COMPLETED', resourceId: 'CAP1' }), true);
  });

  test('another capture, a hint without a resource ID, or an order that published no capture: handed over', () => {
    assert.equal(orderAlreadyReflects(published, { eventType: 'PAYMENT.CAPTURE.COMPLETED', resourceId: 'CAP2' }), false);
    assert.equal(orderAlreadyReflects(published, { eventType: 'PAYMENT.CAPTURE.COMPLETED' }), false);
    assert.equal(orderAlreadyReflects({ state: 'fulfilled' }, { eventType: 'PAYMENT.CAPTURE.COMPLETED', resourceId: 'CAP1' }), false);
  });

  test('refunds, reversals and every other type are news to a fulfilled order', () => {
    const news = [...HANDLED_EVENT_TYPES].filter((t) => !['CHECKOUT.ORDER.APPROVED', 'CHECKOUT.ORDER.COMPLETED', 'PAYMENT.CAPTURE.COMPLETED'].includes(t));
    assert.ok(news.includes('PAYMENT.CAPTURE.REFUNDED') && news.includes('PAYMENT.CAPTURE.REVERSED'));
    for (const eventType of news) assert.equal(orderAlreadyReflects(published, { eventType, resourceId: 'CAP1' }), false, eventType);
  });

  test('an order in any other state, or with no published state, reflects nothing', () => {
    for (const state of [...STATES.filter((s) => s !== 'fulfilled'), undefined]) {
      for (const eventType of HANDLED_EVENT_TYPES) {
        assert.equal(orderAlreadyReflects({ state, captureId: 'CAP1' }, { eventType, resourceId: 'CAP1' }), false, `${state} ${eventType}`);
      }
    }
  });

  test('the machine agrees: handed to a fulfilled order, each such hint changes nothing, at most a re-read that finds nothing new', () => {
    const order = at('fulfilled', { truth: captured('COMPLETED') });
    for (const hint of [{ eventType: 'CHECKOUT.ORDER.APPROVED', resourceId: 'ORDER1' }, { eventType: 'CHECKOUT.ORDER.COMPLETED', resourceId: 'ORDER1' }, { eventType: 'PAYMENT.CAPTURE.COMPLETED', resourceId: 'CAP1' }]) {
      assert.ok(orderAlreadyReflects(published, hint));
      const handed = transition(order, webhooksReceived([hint]), NOW, CURRENT_MACHINE_OPTIONS);
      assert.equal(handed.data.state, 'fulfilled', hint.eventType);
      assert.ok(handed.commands.every((c) => c.type === 'verify_payment'), `${hint.eventType}: ${JSON.stringify(handed.commands)}`);
      if (handed.commands.length > 0) {
        const reread = transition(handed.data, { type: 'truth', truth: captured('COMPLETED') }, NOW, CURRENT_MACHINE_OPTIONS);
        assert.equal(reread.data.state, 'fulfilled');
        assert.deepEqual(reread.commands, [], `${hint.eventType}: the re-read finds nothing to do`);
      }
    }
  });
});
