import { eventSubject, HANDLED_EVENT_TYPES, type WebhookEvent } from '../paypal/events';
import { OrderClosedError, type OrdersClient } from '../temporal/orders-client';
import { orderAlreadyReflects, PRE_FULFILMENT_EVENT_TYPES } from '../workflows/order-machine';
import { orderWorkflowId } from '../workflows/messages';

/**
 * What became of one PayPal event. The intake turns this into an HTTP answer (200 / 503), the webhook sweep
 * into counts and retries, so both treat every event the same way.
 */
export type RouteResult =
  /**
   * Durably recorded on the order's workflow (started if needed). `alreadyRecorded`: this process had recorded the
   * same PayPal event before (or was recording it), so it was not handed to Temporal again. `alreadyReflected`
   * (RouteOptions.unlessReflected only): not recorded, and not handed over, because the order's run already shows
   * what the event says; never the outcome of a route without that option, so the intake cannot answer 2xx for it.
   */
  | { outcome: 'accepted'; orderId: string; workflowId: string; alreadyRecorded?: boolean; alreadyReflected?: boolean }
  /** Authentic but nothing to do: an unhandled type, no order we can find, or an order long closed. Retrying would not change it. */
  | { outcome: 'ignored'; kind: 'unhandled_type' | 'unroutable' | 'order_closed'; reason: string }
  /** The capture named by a refund/reversal could not be looked up at PayPal: retry later. */
  | { outcome: 'paypal_unavailable'; captureId: string; error: unknown }
  /** Temporal did not record the event in time: retry later. */
  | { outcome: 'temporal_unavailable'; orderId: string; error: unknown };

/** What routing needs: the durable hand-off to Temporal and the capture → order lookup at PayPal. */
export interface EventRouterDeps {
  /** `publishedOrder` is needed only by callers that route with RouteOptions.unlessReflected. */
  orders: Pick<OrdersClient, 'deliverEvent'> & Partial<Pick<OrdersClient, 'publishedOrder'>>;
  /** Maps a capture to its order (refund events name only the capture). Undefined when PayPal does not know it. */
  orderIdForCapture: (captureId: string) => Promise<string | undefined>;
  /** How many recorded PayPal event IDs to remember (WEBHOOK_EVENT_MEMORY); none when absent or 0. */
  remember?: number;
}

/** How one event is routed. */
export interface RouteOptions {
  /**
   * Read the order's published state first (a describe, not a billable action) and hand over nothing the order
   * already reflects (orderAlreadyReflects: a fulfilled order's approval and capture). For the webhook sweep, which
   * re-offers every listed event, when the intake that recorded it may have been another process. The intake
   * hands over at once: the describe would only add a round trip to a delivery the order has usually not seen.
   */
  unlessReflected?: boolean;
}

/** Routes a parsed PayPal event to its order's workflow. */
export interface EventRouter {
  route(event: WebhookEvent, options?: RouteOptions): Promise<RouteResult>;
}

/**
 * The one place that decides which order an event belongs to and hands it to that order's workflow: the webhook
 * intake and the webhook sweep both call it, so an event fetched from PayPal's listing is recorded exactly as a
 * delivered webhook would be (same workflow ID, same signal, same dedupe by PayPal event ID). Never throws.
 *
 * It remembers the PayPal event IDs it has had recorded, and hands a remembered one to Temporal no more: a copy
 * arriving while the first is being recorded shares that recording's outcome, a later one is accepted at once.
 * Each hand-off is a billable signal, a history event and a workflow task (a replay, for an order evicted from the
 * worker's cache), and PayPal sends duplicates while every sweep re-offers the events of its whole lookback (~24
 * times each with the defaults). The order workflow still drops duplicates by event ID: the memory is per process
 * (another replica, or this one after a restart, hands an event over once more) and bounded (oldest forgotten first).
 * The sweep, which usually runs in a worker process that did not record the webhooks, also asks the order first
 * (RouteOptions.unlessReflected), so a fulfilled order's events are not handed over again there either.
 */
export function createEventRouter(deps: EventRouterDeps): EventRouter {
  const recorded = new EventMemory(deps.remember ?? 0);
  // Kept apart from `recorded`: an event found reflected was never recorded, and the intake answers from `recorded`.
  const reflected = new EventMemory(deps.remember ?? 0);
  const inFlight = new Map<string, Promise<RouteResult>>();
  return {
    async route(event, options = {}) {
      if (!HANDLED_EVENT_TYPES.has(event.event_type)) {
        return { outcome: 'ignored', kind: 'unhandled_type', reason: `event type ${event.event_type} is not handled` };
      }
      const orderId = recorded.orderOf(event.id);
      if (orderId !== undefined) return { outcome: 'accepted', orderId, workflowId: orderWorkflowId(orderId), alreadyRecorded: true };
      if (options.unlessReflected) {
        const reflectedBy = await orderReflecting(event);
        if (reflectedBy !== undefined) return { outcome: 'accepted', orderId: reflectedBy, workflowId: orderWorkflowId(reflectedBy), alreadyReflected: true };
      }
      const pending = inFlight.get(event.id);
      if (pending) {
        const shared = await pending;
        return shared.outcome === 'accepted' ? { ...shared, alreadyRecorded: true } : shared;
      }
      const routing = routeToOrder(event);
      inFlight.set(event.id, routing);
      try {
        const result = await routing;
        if (result.outcome === 'accepted') recorded.add(event.id, result.orderId);
        return result;
      } finally {
        inFlight.delete(event.id);
      }
    },
  };

  /** Finds the event's order and hands the event to its workflow. */
  async function routeToOrder(event: WebhookEvent): Promise<RouteResult> {
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
  }

  /**
   * The order whose open run already shows what the event says, if there is one (remembered once found). Asked only
   * for the event types that can be reflected, all of which name their order (so a refund costs no describe); a
   * describe that fails answers "none", and the event is routed as always.
   */
  async function orderReflecting(event: WebhookEvent): Promise<string | undefined> {
    if (!deps.orders.publishedOrder || !PRE_FULFILMENT_EVENT_TYPES.includes(event.event_type)) return undefined;
    const known = reflected.orderOf(event.id);
    if (known !== undefined) return known;
    const subject = eventSubject(event);
    if (!('orderId' in subject)) return undefined;
    const order = await deps.orders.publishedOrder(subject.orderId).catch(() => undefined);
    if (order?.running !== true || !orderAlreadyReflects(order, { eventType: event.event_type, resourceId: event.resource.id })) return undefined;
    reflected.add(event.id, subject.orderId);
    return subject.orderId;
  }
}

/**
 * PayPal event IDs with their order (the events recorded through this process, or those found reflected): a Map
 * kept in insertion order, so the oldest is forgotten first once `max` are held (no library: a bounded
 * insertion-ordered map is all this needs).
 */
class EventMemory {
  private readonly orders = new Map<string, string>();
  constructor(private readonly max: number) {}

  orderOf(eventId: string): string | undefined {
    return this.orders.get(eventId);
  }

  add(eventId: string, orderId: string): void {
    if (this.max <= 0) return;
    this.orders.set(eventId, orderId);
    if (this.orders.size > this.max) this.orders.delete(this.orders.keys().next().value!);
  }
}
