// The merchant captures (PAYPAL_AUTO_CAPTURE=false): an authorized order captured in two parts, on a real Temporal
// server. The order is fulfilled on its first capture and revoked only once every capture is refunded, with each
// refund reported.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../helpers/harness';
import { api, getToken } from '../helpers/simulator-support';
import { waitFor } from '../helpers/wait';

const USD = (value: string) => ({ currency_code: 'USD', value });

describe('orders the merchant captures itself, in parts', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ PAYPAL_AUTO_CAPTURE: 'false' });
  });
  after(async () => {
    await h?.stop();
  });

  /** Calls PayPal's API (the simulator) as the merchant's own site does. */
  const paypal = async (path: string, body: unknown, requestId: string) => {
    const res = await api(h.simulator, await getToken(h.simulator), 'POST', path, { body, requestId });
    assert.ok(res.status === 201, `${path}: ${res.status} ${res.text}`);
    return res.json as { id: string; purchase_units?: { payments: { authorizations: { id: string }[] } }[] };
  };

  test('captured in two parts: fulfilled on the first; a refund of one part is reported and the order stays fulfilled; the second refund revokes it', async () => {
    const { orderId } = await h.simulator.control.checkout({ amount: USD('10.00'), intent: 'AUTHORIZE' });
    await h.waitForState(orderId, 'awaiting_payment');
    const authorized = await paypal(`/v2/checkout/orders/${orderId}/authorize`, {}, `authorize-${orderId}`);
    const authorizationId = authorized.purchase_units![0]!.payments.authorizations[0]!.id;
    const first = await paypal(`/v2/payments/authorizations/${authorizationId}/capture`, { amount: USD('6.00') }, `part-1-${orderId}`);
    await h.waitForState(orderId, 'fulfilled');
    const second = await paypal(`/v2/payments/authorizations/${authorizationId}/capture`, { amount: USD('4.00'), final_capture: true }, `part-2-${orderId}`);

    const refunded = (captureId: string) => paypal(`/v2/payments/captures/${captureId}/refund`, {}, `refund-${captureId}`);
    const notices = () => h.receiver.forOrder(orderId).filter((u) => u.payload.type === 'order.refunded');
    const firstRefund = await refunded(first.id);
    await waitFor('the first refund reported', () => notices().find((u) => u.payload.refundId === firstRefund.id));
    const afterFirst = await waitFor('the first refund recorded', async () => {
      const s = await h.status(orderId);
      return s?.refundsNotified.includes(firstRefund.id) ? s : undefined;
    });
    assert.equal(afterFirst.state, 'fulfilled', 'the second capture is still paid: not revoked');

    const secondRefund = await refunded(second.id);
    await h.waitForState(orderId, 'revoked');
    assert.deepEqual(notices().map((u) => [u.payload.refundId, u.payload.amount]), [[firstRefund.id, USD('6.00')], [secondRefund.id, USD('4.00')]]);
    const paid = h.receiver.forOrder(orderId).filter((u) => u.payload.type === 'order.paid');
    assert.equal(paid.length, 1, 'delivered once');
    assert.equal(paid[0]?.payload.captureId, first.id, 'on the first capture');
    assert.deepEqual(paid[0]?.payload.amount, USD('6.00'), 'for what it took');
  });
});
