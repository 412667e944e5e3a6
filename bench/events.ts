// Webhook bodies and hints shared by the benches.
import type { PayPalEventHint } from '../src/workflows/messages';

/** What the intake hands Temporal for an order's CHECKOUT.ORDER.APPROVED webhook (event ID `WH-<orderId>`). */
export function approvalHint(orderId: string): PayPalEventHint {
  return { eventId: `WH-${orderId}`, eventType: 'CHECKOUT.ORDER.APPROVED', resourceId: orderId };
}

/** A PayPal-sized CHECKOUT.ORDER.APPROVED event (~1.3 KB), so the CRC-32 covers a realistic body. */
export function approvedEvent(orderId: string, eventId: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: eventId,
      event_version: '1.0',
      create_time: '2026-11-22T06:00:00.000Z',
      resource_type: 'checkout-order',
      resource_version: '2.0',
      event_type: 'CHECKOUT.ORDER.APPROVED',
      summary: 'An order has been approved by buyer',
      resource: {
        id: orderId,
        intent: 'CAPTURE',
        status: 'APPROVED',
        create_time: '2026-11-22T05:59:10Z',
        purchase_units: [
          {
            reference_id: 'default',
            amount: { currency_code: 'EUR', value: '42.00' },
            payee: { email_address: 'merchant@example.com', merchant_id: 'MERCHANT12345' },
            shipping: { name: { full_name: 'Jane Doe' }, address: { address_line_1: '1 Main St', admin_area_2: 'Berlin', postal_code: '10115', country_code: 'DE' } },
          },
        ],
        payer: { name: { given_name: 'Jane', surname: 'Doe' }, email_address: 'buyer@example.com', payer_id: 'PAYER123456', address: { country_code: 'DE' } },
        links: [
          { href: `https://api.paypal.com/v2/checkout/orders/${orderId}`, rel: 'self', method: 'GET' },
          { href: `https://api.paypal.com/v2/checkout/orders/${orderId}`, rel: 'update', method: 'PATCH' },
          { href: `https://api.paypal.com/v2/checkout/orders/${orderId}/capture`, rel: 'capture', method: 'POST' },
        ],
      },
      links: [
        { href: `https://api.paypal.com/v1/notifications/webhooks-events/${eventId}`, rel: 'self', method: 'GET' },
        { href: `https://api.paypal.com/v1/notifications/webhooks-events/${eventId}/resend`, rel: 'resend', method: 'POST' },
      ],
    }),
  );
}

