// What `ppf orders show` prints about an order's amount: PayPal's (captured or not; a multi-seller payment's over its
// units) beside the registered one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { printOrder, printOrderList } from '../../src/cli/format';
import type { OrderStatusView } from '../../src/workflows/messages';
import { at, captured } from '../helpers/order-data';

const USD = (value: string) => ({ currency_code: 'USD', value });

/** The lines `print` writes to the console. */
function consoleLines(print: () => void): string[] {
  const lines: string[] = [];
  const log = console.log;
  console.log = (text: string) => lines.push(...text.split('\n'));
  try {
    print();
  } finally {
    console.log = log;
  }
  return lines;
}

/** The lines printOrder writes for `order`. */
function printed(order: Partial<OrderStatusView>): string[] {
  return consoleLines(() => printOrder({ ...at('awaiting_payment'), workflowId: 'paypal-order-ORDER1', eventsSeen: 0, duplicateEvents: 0, ...order }));
}

test('an amount left uncaptured is shown as PayPal has it, beside the registered amount', () => {
  const lines = printed({ expectedAmount: USD('25.00'), truth: { orderStatus: 'APPROVED', orderAmount: USD('20.00') } });
  assert.ok(lines.includes('Amount     20.00 USD at PayPal, not captured · registered 25.00 USD'), lines.join('\n'));
});

test('an amount support accepted is shown beside the registered one', () => {
  const lines = printed({ expectedAmount: USD('25.00'), acceptedAmount: USD('20.00'), truth: captured('COMPLETED', { amount: USD('20.00') }) });
  assert.ok(lines.includes('Amount     20.00 USD at PayPal, captured · registered 25.00 USD · 20.00 USD accepted by support'), lines.join('\n'));
});

test('a captured amount is shown as captured; an order with no amount known shows no amount line', () => {
  assert.ok(printed({ truth: captured('COMPLETED') }).includes('Amount     10.00 USD at PayPal, captured'));
  assert.ok(!printed({}).some((l) => l.startsWith('Amount')));
});

test('a multi-seller payment\'s amount says it was captured over several purchase units', () => {
  const lines = printed({ truth: { ...captured('COMPLETED', { amount: USD('35.00') }), purchaseUnits: 2 } });
  assert.ok(lines.includes('Amount     35.00 USD over 2 purchase units at PayPal, captured'), lines.join('\n'));
});

test('the order list shows the review reason of an order in review, and nothing for the others', () => {
  const lines = consoleLines(() => printOrderList({ orders: [
    { orderId: 'ORDER1', state: 'needs_review', reviewReason: 'multiple_purchase_units', status: 'RUNNING', startTime: '2026-01-01T00:00:00.000Z' },
    { orderId: 'ORDER2', state: 'fulfilled', status: 'RUNNING', startTime: '2026-01-01T00:00:01.000Z' },
  ] }));
  assert.deepEqual(lines, [
    'ORDER1               needs_review       RUNNING    2026-01-01T00:00:00.000Z  multiple_purchase_units',
    'ORDER2               fulfilled          RUNNING    2026-01-01T00:00:01.000Z',
  ]);
});
