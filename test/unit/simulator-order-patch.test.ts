// The simulator's PATCH /v2/checkout/orders/{id} (orders.patch): what a merchant's site uses to change an order's
// amount before it is captured. Answers are checked against PayPal's OpenAPI spec for the operation.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { api, simulatorRig, SpecValidator } from '../helpers/simulator-support';

const ORDERS = 'checkout_orders_v2.json';
const USD = (value: string) => ({ currency_code: 'USD', value });
const UNIT = "/purchase_units/@reference_id=='default'";

describe('simulator: PATCH an order (orders.patch)', () => {
  const rig = simulatorRig({ retryDelaysMs: [50] });
  let spec: SpecValidator;
  before(() => {
    spec = new SpecValidator();
  });

  const patch = (orderId: string, body: unknown) => api(rig.sim, rig.token, 'PATCH', `/v2/checkout/orders/${orderId}`, { body });
  const read = async (orderId: string) => (await api(rig.sim, rig.token, 'GET', `/v2/checkout/orders/${orderId}`)).json as { purchase_units: Record<string, unknown>[] };
  /** Asserts a refusal: its status, its issue, and that its body is the one the spec declares for it. */
  const refused = (res: Awaited<ReturnType<typeof patch>>, status: number, issue: string) => {
    assert.equal(res.status, status, res.text);
    assert.equal(res.json.details?.[0]?.issue, issue);
    assert.equal(spec.check(ORDERS, 'patch', '/v2/checkout/orders/{id}', status, res.json), '', `${issue} must match the spec`);
  };

  test('an approved order\'s amount and references are replaced (204), and a capture then takes the new amount', async () => {
    const { orderId } = await rig.sim.control.checkout({ amount: USD('20.00') });
    const res = await patch(orderId, [
      { op: 'replace', path: `${UNIT}/amount`, value: USD('25.00') },
      { op: 'add', path: `${UNIT}/invoice_id`, value: 'inv-7' },
    ]);
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    const unit = (await read(orderId)).purchase_units[0]!;
    assert.deepEqual(unit.amount, USD('25.00'));
    assert.equal(unit.invoice_id, 'inv-7');
    const captured = await api(rig.sim, rig.token, 'POST', `/v2/checkout/orders/${orderId}/capture`, { requestId: `cap-${orderId}` });
    const capture = (captured.json.purchase_units as { payments: { captures: { amount: unknown }[] } }[])[0]!.payments.captures[0]!;
    assert.deepEqual(capture.amount, USD('25.00'));
  });

  test('a captured order cannot be patched: 422 ORDER_ALREADY_COMPLETED, nothing changed', async () => {
    const { orderId } = await rig.sim.control.checkout({ amount: USD('20.00') });
    await api(rig.sim, rig.token, 'POST', `/v2/checkout/orders/${orderId}/capture`, { requestId: `cap-${orderId}` });
    refused(await patch(orderId, [{ op: 'replace', path: `${UNIT}/amount`, value: USD('25.00') }]), 422, 'ORDER_ALREADY_COMPLETED');
    assert.deepEqual((await read(orderId)).purchase_units[0]!.amount, USD('20.00'));
  });

  test('a refused operation refuses the whole request: the operations before it are not applied', async () => {
    const { orderId } = await rig.sim.control.checkout({ amount: USD('20.00'), approve: false });
    refused(await patch(orderId, [
      { op: 'replace', path: `${UNIT}/amount`, value: USD('25.00') },
      { op: 'replace', path: `${UNIT}/amount`, value: USD('0.00') },
    ]), 422, 'CANNOT_BE_ZERO_OR_NEGATIVE');
    assert.deepEqual((await read(orderId)).purchase_units[0]!.amount, USD('20.00'));
  });

  test('malformed requests get PayPal\'s reasons', async () => {
    const { orderId } = await rig.sim.control.checkout({ amount: USD('20.00'), approve: false });
    refused(await patch(orderId, { op: 'replace' }), 400, 'INVALID_PARAMETER_SYNTAX');
    refused(await patch(orderId, [{ op: 'replace', value: USD('1.00') }]), 422, 'PATCH_PATH_REQUIRED');
    refused(await patch(orderId, [{ op: 'replace', path: `${UNIT}/amount` }]), 422, 'PATCH_VALUE_REQUIRED');
    refused(await patch(orderId, [{ op: 'replace', path: 'purchase_units', value: [] }]), 422, 'INVALID_JSON_POINTER_FORMAT');
    refused(await patch(orderId, [{ op: 'replace', path: "/purchase_units/@reference_id=='other'/amount", value: USD('1.00') }]), 422, 'REFERENCE_ID_NOT_FOUND');
    refused(await patch(orderId, [{ op: 'replace', path: '/intent', value: 'AUTHORIZE' }]), 422, 'NOT_PATCHABLE');
    refused(await patch(orderId, [{ op: 'remove', path: `${UNIT}/amount` }]), 400, 'INVALID_PATCH_OPERATION');
    refused(await patch(orderId, [{ op: 'replace', path: `${UNIT}/custom_id`, value: 'c-1' }]), 400, 'INVALID_PATCH_OPERATION');
    refused(await patch(orderId, [{ op: 'add', path: `${UNIT}/custom_id`, value: '' }]), 400, 'INVALID_STRING_LENGTH');
    refused(await patch(orderId, [{ op: 'replace', path: `${UNIT}/amount`, value: USD('1.005') }]), 400, 'INVALID_PARAMETER_SYNTAX');
    assert.equal((await patch('0000000000000000X', [])).status, 404);
    assert.deepEqual((await read(orderId)).purchase_units[0]!.amount, USD('20.00'), 'nothing changed');
  });
});
