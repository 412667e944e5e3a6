// The merchant's service for the benches: no signature check, no bookkeeping beyond arrival times.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';

/** The merchant's service, as fast as it gets: answers 200 and notes when each order's update arrived. */
export class FastReceiver {
  private readonly arrived = new Map<string, number>();
  private readonly waiters = new Map<string, (at: number) => void>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void text(req).then((raw) => {
        const at = performance.now();
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        const { orderId } = JSON.parse(raw) as { orderId: string };
        if (this.arrived.has(orderId)) return;
        this.arrived.set(orderId, at);
        this.waiters.get(orderId)?.(at);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/service-update`;
    return this;
  }

  /** performance.now() at which the order's first update arrived. */
  waitFor(orderId: string): Promise<number> {
    const at = this.arrived.get(orderId);
    return at !== undefined ? Promise.resolve(at) : new Promise((resolve) => this.waiters.set(orderId, resolve));
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
