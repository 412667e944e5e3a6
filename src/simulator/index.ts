import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { createSimulatorPki, type SimulatorPki } from './certificates';
import { SimulatorControlClient } from './control-client';
import type { ServerDeps } from './deps';
import { EventLog } from './events';
import { FaultState } from './faults';
import { buildSimulatorServer } from './server';
import type { SimContext } from './state/context';
import { SimulatorStore } from './state/store';
import { WebhookDispatcher } from './webhook-delivery';

export { SimulatorControlClient, SimulatorControlError } from './control-client';
export type { SimulatorPki } from './certificates';
export type { FaultsInput } from './faults';

/** Options for {@link startSimulator}. */
export interface SimulatorOptions {
  /** 0 = random free port (default 0). */
  port?: number;
  /** Interface to bind; default '127.0.0.1' (the control endpoints have no auth, so keep it local). */
  host?: string;
  /** default 'sim-client-id' */
  clientId?: string;
  /** default 'sim-client-secret' */
  clientSecret?: string;
  /** The webhook ID events are signed with; default 'SIM-WEBHOOK-ID'. */
  webhookId?: string;
  /** Where webhooks are delivered; no delivery while unset (events are still recorded and listed). */
  webhookUrl?: string;
  /** Delays between delivery attempts after a failure; a compressed version of PayPal's 25-tries-over-3-days. */
  retryDelaysMs?: number[];
  /** Certificates to sign with; default a fresh {@link createSimulatorPki}. */
  pki?: SimulatorPki;
  /** A pino-compatible logger, or false for silence (default). */
  logger?: FastifyBaseLogger | false;
}

/** A started simulator. */
export interface RunningSimulator {
  /** Base URL, e.g. http://127.0.0.1:41234: use it as the PayPal API base. */
  url: string;
  /** Trust anchor for offline signature verification. */
  caPem: string;
  /** `${url}/v1/notifications/certs/CERT-simulator-…`: sent as PAYPAL-CERT-URL. */
  certUrl: string;
  webhookId: string;
  clientId: string;
  clientSecret: string;
  /** Changes (or clears) the delivery target for events generated from now on and for retries. */
  setWebhookUrl(url: string | undefined): void;
  /** Typed client over the `/simulator/*` control endpoints of this simulator. */
  control: SimulatorControlClient;
  /** Stops delivery timers and the server. */
  close(): Promise<void>;
}

/** PayPal retries for 3 days; locally the same shape compressed to under a minute. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1000, 2000, 5000, 10_000, 30_000];

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts an in-memory PayPal simulator (REST subset, signed webhooks, fault injection) on an HTTP port. */
export async function startSimulator(opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  const host = opts.host ?? '127.0.0.1';
  const pki = opts.pki ?? createSimulatorPki();
  const webhookId = opts.webhookId ?? 'SIM-WEBHOOK-ID';
  const clientId = opts.clientId ?? 'sim-client-id';
  const clientSecret = opts.clientSecret ?? 'sim-client-secret';
  const certId = `CERT-simulator-${randomBytes(8).toString('hex')}`;
  let baseUrl = '';
  let webhookUrl = opts.webhookUrl;
  const logger = opts.logger ?? false;

  const store = new SimulatorStore();
  const events = new EventLog();
  const faults = new FaultState();
  const certUrl = (): string => `${baseUrl}/v1/notifications/certs/${certId}`;
  const dispatcher = new WebhookDispatcher({
    log: events,
    faults,
    webhookId,
    certUrl,
    keyPem: pki.leafKeyPem,
    retryDelaysMs: opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
    webhookUrl: () => webhookUrl,
    ...(logger ? { logger } : {}),
  });
  const ctx: SimContext = {
    store,
    baseUrl: () => baseUrl,
    emit: (type, resource, orderId) => dispatcher.publish(events.create(baseUrl, type, resource, orderId)),
  };
  const setWebhookUrl = (url: string | undefined): void => {
    webhookUrl = url;
  };
  const deps: ServerDeps = {
    ctx,
    events,
    dispatcher,
    faults,
    pki,
    certId,
    certUrl,
    webhookId,
    clientId,
    clientSecret,
    getWebhookUrl: () => webhookUrl,
    setWebhookUrl,
  };
  const app = buildSimulatorServer(deps, logger);
  await app.listen({ host, port: opts.port ?? 0 });
  const address = app.server.address() as AddressInfo;
  baseUrl = `http://${urlHost(host)}:${address.port}`;

  return {
    url: baseUrl,
    caPem: pki.caPem,
    certUrl: certUrl(),
    webhookId,
    clientId,
    clientSecret,
    setWebhookUrl,
    control: new SimulatorControlClient(baseUrl),
    async close() {
      await dispatcher.close();
      await app.close();
    },
  };
}
