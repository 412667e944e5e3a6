import type { SimulatorPki } from './certificates';
import type { EventLog } from './events';
import type { FaultState } from './faults';
import type { SimContext } from './state/context';
import type { WebhookDispatcher } from './webhook-delivery';

/** Everything the route modules share; built once per simulator by `startSimulator`. */
export interface ServerDeps {
  ctx: SimContext;
  events: EventLog;
  dispatcher: WebhookDispatcher;
  faults: FaultState;
  pki: SimulatorPki;
  /** Path segment of the certificate URL (`CERT-simulator-...`). */
  certId: string;
  certUrl(): string;
  webhookId: string;
  clientId: string;
  clientSecret: string;
  getWebhookUrl(): string | undefined;
  setWebhookUrl(url: string | undefined): void;
}
