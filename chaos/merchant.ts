import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import { DELIVERY_ID_HEADER, IDEMPOTENCY_KEY_HEADER, SIGNATURE_HEADER, verifyServiceUpdateSignature, type ServiceUpdatePayload } from '../src/service-update/contract';

/** One request the chaos merchant received, with what it answered. */
export interface MerchantRequest {
  key: string;
  payload: ServiceUpdatePayload;
  /** Arrival time (ms since epoch, this machine's clock). */
  at: number;
  /** The Fulfillment-Delivery-Id header: which run, activity and attempt sent it. */
  deliveryId: string;
  signatureValid: boolean;
  /** What happened: applied (2xx, first time), repeat (409, key already applied), or a failure mode. */
  outcome: 'applied' | 'repeat' | 'failed_500' | 'rejected_422' | 'reset' | 'applied_slow';
}

/** The faults the merchant plays; changed live by the chaos engine. */
export interface MerchantFaults {
  /** Share of requests answered 500 (0..1). */
  failRate: number;
  /** Share of requests applied but answered too late (after the product's timeout): a lost response. */
  slowRate: number;
  /** How long a slow answer takes (set above FULFILLMENT_TIMEOUT_MS). */
  slowMs: number;
  /** While true every request's connection is reset: the service is fully down. */
  down: boolean;
}

/**
 * The merchant's service as the contract asks merchants to build it: verifies the signature, deduplicates by
 * Idempotency-Key (a key already applied answers 409 "already done"), and records every request so the chaos
 * engine can count applied updates per key. Orders whose `customId` starts with `reject` are refused with 422.
 */
export class ChaosMerchant {
  readonly requests: MerchantRequest[] = [];
  /** Applied keys → first application time. */
  readonly applied = new Map<string, { at: number; payload: ServiceUpdatePayload }>();
  faults: MerchantFaults = { failRate: 0, slowRate: 0, slowMs: 0, down: false };
  url = '';
  private server: Server | undefined;
  private random: () => number;

  constructor(
    readonly secret: string,
    random: () => number = Math.random,
  ) {
    this.random = random;
  }

  /** Listens on a free loopback port. */
  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void text(req).then(
        async (raw) => {
          const at = Date.now();
          const key = String(req.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()] ?? '');
          const signature = req.headers[SIGNATURE_HEADER.toLowerCase()];
          const deliveryId = String(req.headers[DELIVERY_ID_HEADER.toLowerCase()] ?? '');
          const payload = JSON.parse(raw) as ServiceUpdatePayload;
          const record = (outcome: MerchantRequest['outcome']) =>
            this.requests.push({ key, payload, at, deliveryId, outcome, signatureValid: verifyServiceUpdateSignature(raw, typeof signature === 'string' ? signature : undefined, this.secret) });
          const answer = (status: number) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
          if (this.faults.down) {
            record('reset');
            req.socket.destroy();
            return;
          }
          if (this.applied.has(key)) {
            record('repeat');
            return answer(409);
          }
          if (payload.customId?.startsWith('reject')) {
            record('rejected_422');
            return answer(422);
          }
          const roll = this.random();
          if (roll < this.faults.failRate) {
            record('failed_500');
            return answer(500);
          }
          this.applied.set(key, { at, payload });
          if (roll < this.faults.failRate + this.faults.slowRate) {
            record('applied_slow');
            await new Promise((r) => setTimeout(r, this.faults.slowMs));
            return answer(200);
          }
          record('applied');
          return answer(200);
        },
        () => res.writeHead(400).end(),
      );
    });
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/service-update`;
    return this;
  }

  /** Counts of requests by outcome. */
  stats(): Record<MerchantRequest['outcome'], number> {
    const counts = { applied: 0, repeat: 0, failed_500: 0, rejected_422: 0, reset: 0, applied_slow: 0 };
    for (const r of this.requests) counts[r.outcome]++;
    return counts;
  }

  /** Stops listening (open connections are dropped). */
  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
