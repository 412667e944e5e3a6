import { z } from 'zod';

/**
 * The parts of PayPal's REST resources this product reads, validated at the boundary. Objects are loose:
 * PayPal adds fields over time and we must not break on them. Statuses are plain strings because an unknown
 * status must be treated as "not settled", never rejected.
 */
export const moneySchema = z.object({ currency_code: z.string(), value: z.string() });
/** A PayPal amount. */
export type Money = z.infer<typeof moneySchema>;

const linkSchema = z.looseObject({ href: z.string(), rel: z.string(), method: z.string().optional() });

/** `GET /v2/payments/captures/{id}` and the captures inside an order. */
export const captureSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  status_details: z.looseObject({ reason: z.string().optional() }).optional(),
  amount: moneySchema.optional(),
  custom_id: z.string().optional(),
  invoice_id: z.string().optional(),
  final_capture: z.boolean().optional(),
  supplementary_data: z.looseObject({ related_ids: z.looseObject({ order_id: z.string().optional() }).optional() }).optional(),
  links: z.array(linkSchema).optional(),
  create_time: z.string().optional(),
  update_time: z.string().optional(),
});
/** A PayPal capture. */
export type Capture = z.infer<typeof captureSchema>;

const refundSchema = z.looseObject({ id: z.string(), status: z.string(), amount: moneySchema.optional() });

/** `GET /v2/checkout/orders/{id}` (and the capture response, which has the same shape). */
export const orderSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  intent: z.string().optional(),
  purchase_units: z
    .array(
      z.looseObject({
        reference_id: z.string().optional(),
        amount: moneySchema.optional(),
        custom_id: z.string().optional(),
        invoice_id: z.string().optional(),
        payments: z
          .looseObject({
            authorizations: z.array(z.looseObject({ id: z.string(), status: z.string(), amount: moneySchema.optional() })).optional(),
            captures: z.array(captureSchema).optional(),
            refunds: z.array(refundSchema).optional(),
          })
          .optional(),
      }),
    )
    .optional(),
  links: z.array(linkSchema).optional(),
});
/** A PayPal order (Orders v2). */
export type Order = z.infer<typeof orderSchema>;

/** PayPal's error body (`name`, `message`, `debug_id`, `details[].issue`). */
export const paypalErrorSchema = z.looseObject({
  name: z.string().optional(),
  message: z.string().optional(),
  debug_id: z.string().optional(),
  details: z.array(z.looseObject({ issue: z.string().optional(), description: z.string().optional() })).optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});

/** `POST /v1/oauth2/token`. */
export const tokenSchema = z.looseObject({ access_token: z.string(), expires_in: z.number() });

/** `POST /v1/notifications/verify-webhook-signature`. */
export const verifySignatureResponseSchema = z.looseObject({ verification_status: z.string() });

/** A webhook event as listed by `GET /v1/notifications/webhooks-events`. */
export const listedWebhookEventSchema = z.looseObject({
  id: z.string(),
  event_type: z.string(),
  create_time: z.string().optional(),
  resource_type: z.string().optional(),
  resource: z.unknown(),
});

/** `GET /v1/notifications/webhooks-events`. */
export const webhookEventListSchema = z.looseObject({
  events: z.array(listedWebhookEventSchema),
  links: z.array(linkSchema).optional(),
});
