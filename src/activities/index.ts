import type { PayPalClient } from '../paypal/client';
import type { EventRouter } from '../routing/event-router';
import { createAlertActivities } from './alerts';
import { createPayPalActivities } from './paypal';
import { createServiceUpdateActivities, type ServiceUpdateTarget } from './service-update';
import { createSweepActivities } from './sweep';

/** What the activities need from the outside world; built once per worker. */
export interface ActivityDeps {
  paypal: PayPalClient;
  serviceUpdate: ServiceUpdateTarget;
  alertWebhookUrl?: string;
  /** Routes swept PayPal events to their orders exactly as the webhook intake does. */
  router: EventRouter;
}

/**
 * All activities the worker serves: the order workflow's and the webhook sweep's. Workflows import this type only
 * (`proxyActivities<OrderActivities>`).
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createPayPalActivities(deps.paypal),
    ...createServiceUpdateActivities(deps.serviceUpdate),
    ...createAlertActivities({ alertWebhookUrl: deps.alertWebhookUrl }),
    ...createSweepActivities({ paypal: deps.paypal, router: deps.router }),
  };
}

/** The activity interface the workflows proxy. */
export type OrderActivities = ReturnType<typeof createActivities>;
