import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import { IDEMPOTENCY_KEY_HEADER, SIGNATURE_HEADER, verifyServiceUpdateSignature, type ServiceUpdatePayload } from '../../src/service-update/contract';

/** One request the merchant's (test) service received. */
export interface ReceivedUpdate {
  idempotencyKey: string;
  payload: ServiceUpdatePayload;
  signatureValid: boolean;
  answered: number;
}

/**
 * A stand-in for the merchant's service: records every service update, checks its signature, and answers what
 * the test programs (`answers` is consumed first, then `defaultStatus`).
 */
export class TestServiceReceiver {
  readonly received: ReceivedUpdate[] = [];
  /** Statuses for the next requests, in order. */
  answers: number[] = [];
  defaultStatus = 200;
  private server: Server | undefined;
  url = '';

  constructor(readonly secret: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void text(req).then((raw) => {
        const signature = req.headers[SIGNATURE_HEADER.toLowerCase()];
        const status = this.answers.shift() ?? this.defaultStatus;
        this.received.push({
          idempotencyKey: String(req.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()] ?? ''),
          payload: JSON.parse(raw) as ServiceUpdatePayload,
          signatureValid: verifyServiceUpdateSignature(raw, typeof signature === 'string' ? signature : undefined, this.secret),
          answered: status,
        });
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/service-update`;
    return this;
  }

  /** Updates for one order. */
  forOrder(orderId: string): ReceivedUpdate[] {
    return this.received.filter((r) => r.payload.orderId === orderId);
  }

  /** Successful (2xx/409) updates for one order, by distinct idempotency key: must never exceed one per action. */
  successfulKeys(orderId: string): string[] {
    return [...new Set(this.forOrder(orderId).filter((r) => r.answered < 300 || r.answered === 409).map((r) => r.idempotencyKey))];
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
