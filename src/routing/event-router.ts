import { eventSubject, HANDLED_EVENT_TYPES, type WebhookEvent } from '../paypal/events';
import { OrderClosedError, type OrdersClient } from '../temporal/orders-client';

/**
 * What became of one PayPal event. The intake turns this into an HTTP answer (200 / 503), the webhook sweep
 * into counts and retries, so both treat every event the same way.
 */
export type RouteResult =
  /** Durably recorded on the order's workflow (started if needed). */
  | { outcome: 'accepted'; orderId: string; workflowId: string }
  /** Authentic but nothing to do: an unhandled type, no order we can find, or an order long closed. Retrying would not change it. */
  | { outcome: 'ignored'; kind: 'unhandled_type' | 'unroutable' | 'order_closed'; reason: string }
  /** The capture named by a refund/reversal could not be looked up at PayPal: retry later. */
  | { outcome: 'paypal_unavailable'; captureId: string; error: unknown }
  /** Temporal did not record the event in time: retry later. */
  | { outcome: 'temporal_unavailable'; orderId: string; error: unknown };

/** What routing needs: the durable hand-off to Temporal and the capture → order lookup at PayPal. */
export interface EventRouterDeps {
  orders: Pick<OrdersClient, 'deliverEvent'>;
  /** Maps a capture to its order (refund events name only the capture). Undefined when PayPal does not know it. */
  orderIdForCapture: (captureId: string) => Promise<string | undefined>;
}

/** Routes a parsed PayPal event to its order's workflow. */
export interface EventRouter {
  route(event: WebhookEvent): Promise<RouteResult>;
}

/**
 * The one place that decides which order an event belongs to and hands it to that order's workflow: the webhook
 * intake and the webhook sweep both call it, so an event fetched from PayPal's listing is recorded exactly as a
 * delivered webhook would be (same workflow ID, same signal, same dedupe by PayPal event ID). Never throws.
 */
export function createEventRouter(deps: EventRouterDeps): EventRouter {
  return {
    async route(event) {
      if (!HANDLED_EVENT_TYPES.has(event.event_type)) {
        return { outcome: 'ignored', kind: 'unhandled_type', reason: `event type ${event.event_type} is not handled` };
      }
      const subject = eventSubject(event);
      let orderId: string | undefined;
      if ('orderId' in subject) orderId = subject.orderId;
      else if ('captureId' in subject) {
        try {
          orderId = await deps.orderIdForCapture(subject.captureId);
        } catch (error) {
          return { outcome: 'paypal_unavailable', captureId: subject.captureId, error };
        }
      }
      if (!orderId) {
        return { outcome: 'ignored', kind: 'unroutable', reason: 'unknown' in subject ? subject.unknown : 'capture not known to PayPal' };
      }
      try {
        const { workflowId } = await deps.orders.deliverEvent(orderId, { eventId: event.id, eventType: event.event_type, resourceId: event.resource.id });
        return { outcome: 'accepted', orderId, workflowId };
      } catch (error) {
        // The order's workflow completed (its watch window is over): the event is authentic but too late to matter.
        if (error instanceof OrderClosedError) return { outcome: 'ignored', kind: 'order_closed', reason: `order ${orderId} is closed` };
        return { outcome: 'temporal_unavailable', orderId, error };
      }
    },
  };
}
