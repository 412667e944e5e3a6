// Outbound HTTP: the product's `httpRequest` (undici's request API) next to Node's global `fetch` as the product
// used it before, for the same small JSON POST to a loopback server in this process. Every order makes several
// such calls (PayPal's API, the merchant, the simulator's webhooks), so the per-call CPU shows in the e2e bench.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import { httpRequest } from '../src/http/request';
import { markdownTable, measure, type BenchModule, type BenchReport, type OpStats } from './harness';

const N = Number(process.env.HTTP_N ?? 3000);

/** The http bench: fetch vs httpRequest, latency per call and CPU per call (client and server in this process). */
export const httpBench: BenchModule = {
  name: 'http',
  async run(): Promise<BenchReport> {
    const server = createServer((req, res) => {
      void text(req).then(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"5O190127TN364715T","status":"COMPLETED"}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/checkout/orders/X/capture`;
    const body = JSON.stringify({ type: 'order.paid', orderId: '5O190127TN364715T', note: 'x'.repeat(400) });
    const headers = { 'content-type': 'application/json', 'idempotency-key': 'order.paid:5O190127TN364715T' };
    const paths: Record<string, () => Promise<unknown>> = {
      'global `fetch` + `AbortSignal.timeout` (before)': async () => {
        const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
        return res.text();
      },
      '`httpRequest` (undici `request`, deadline timer)': () => httpRequest(url, { method: 'POST', headers, body, timeoutMs: 30_000 }),
    };
    const rows: OpStats[] = [];
    const cpu: (string | number)[][] = [];
    try {
      for (let round = 0; round < 2; round++) {
        for (const [name, op] of Object.entries(paths)) {
          const c0 = process.cpuUsage();
          const stats = await measure(name, N, op);
          const used = process.cpuUsage(c0);
          if (round === 1) {
            rows.push(stats);
            cpu.push([name, (used.user + used.system) / 1000 / (2 * N)]);
          }
        }
      }
    } finally {
      server.close();
    }
    return {
      name: 'http',
      title: 'Outbound HTTP: httpRequest vs global fetch',
      params: { n: N, warmup: `${N} calls per row`, rounds: '2 (the second is reported)', request: `POST, ${body.length} B JSON body, ~50 B JSON answer, keep-alive, loopback` },
      rows,
      tables: [{ heading: 'CPU per call (client and server side in this process, warmup and timed calls):', markdown: markdownTable(['path', 'CPU ms/call'], cpu, 3) }],
      notes: [
        'Both paths read the whole answer body; the server is a bare node:http handler in the same process, so its (equal) share is in both CPU rows.',
        'fetch is Node 20\'s bundled undici behind WHATWG streams and Response objects; httpRequest calls the undici package\'s request API with one timer for the whole exchange.',
      ],
    };
  },
};
