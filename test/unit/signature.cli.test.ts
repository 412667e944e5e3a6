// verifyWebhookCommand on stored vectors, with output captured (no network: --cert is always given).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseHeadersText, verifyWebhookCommand } from '../../src/cli/verify-webhook';
import { header, negativeVectors, positiveVectors, VECTOR_DIR } from '../fixtures/paypal-vectors/helpers';

const dir = mkdtempSync(join(tmpdir(), 'verify-webhook-'));
const v01 = positiveVectors()[0]!;
const n05 = negativeVectors().find((n) => n.id.startsWith('n05'))!;
const certFile = join(VECTOR_DIR, 'certs', v01.cert_file ?? '');
const bodyFile = join(dir, 'body.json');
const jsonHeaders = join(dir, 'headers.json');
const rawHeaders = join(dir, 'headers.txt');
writeFileSync(bodyFile, Buffer.from(v01.body, 'utf8'));
writeFileSync(jsonHeaders, JSON.stringify(v01.headers));
writeFileSync(rawHeaders, `POST /webhooks/paypal HTTP/1.1\r\nContent-Type: application/json\r\n${Object.entries(v01.headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n`);

async function run(args: Partial<Parameters<typeof verifyWebhookCommand>[0]>): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await verifyWebhookCommand({ headersFile: jsonHeaders, bodyFile, webhookId: v01.webhook_id, certFile, ...args }, (l) => lines.push(l));
  return { code, lines };
}

void describe('verifyWebhookCommand', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  void it('verifies v01 at its transmission time (JSON headers file) and prints every check with ✓', async () => {
    const { code, lines } = await run({ at: header(v01, 'PAYPAL-TRANSMISSION-TIME') });
    assert.equal(code, 0, lines.join('\n'));
    for (const check of ['algorithm', 'time window', 'cert url', 'chain', 'subject', 'validity', 'body crc32', 'signed message', 'signature']) {
      assert.ok(lines.some((l) => l.startsWith(`✓ ${check}:`)), `${check} in\n${lines.join('\n')}`);
    }
    assert.ok(lines.includes('✓ body crc32: 2771810304 over ' + Buffer.byteLength(v01.body) + ' bytes'));
    assert.ok(lines.some((l) => l.includes('dfb3be50-fd74-11e4-8bf3-77339302725b|2015-05-18T15:45:13Z|4JH86294D6297924G|2771810304')));
    assert.equal(lines.at(-1), 'VERIFIED');
  });

  void it('reads raw HTTP header lines too', async () => {
    const { code } = await run({ headersFile: rawHeaders, at: header(v01, 'PAYPAL-TRANSMISSION-TIME') });
    assert.equal(code, 0);
    assert.equal(parseHeadersText('A: 1\nA: 2\n')['A']?.length, 2);
  });

  void it('fails at the real now, explains the expired certificate and hints at --at', async () => {
    const { code, lines } = await run({});
    assert.equal(code, 1);
    assert.ok(lines.some((l) => l.startsWith('✗ time window:')));
    assert.ok(lines.some((l) => l.startsWith('✗ validity:') && l.includes('expired')));
    assert.ok(lines.some((l) => l.startsWith('hint:') && l.includes('--at 2015-05-18T15:45:13Z')));
    assert.ok(lines.some((l) => l.startsWith('✓ signature:')), 'the signature itself still matches');
    assert.equal(lines.at(-1), 'NOT VERIFIED');
  });

  void it('reports a wrong webhook id as a signature mismatch (n05), with JSON output', async () => {
    const { code, lines } = await run({ webhookId: n05.webhook_id, at: header(v01, 'PAYPAL-TRANSMISSION-TIME'), json: true });
    assert.equal(code, 1);
    const doc = JSON.parse(lines.join('\n')) as { verified: boolean; checks: { check: string; ok: boolean }[] };
    assert.equal(doc.verified, false);
    assert.deepEqual(doc.checks.filter((c) => !c.ok).map((c) => c.check), ['signature']);
  });

  void it('exits 2 on a missing file or a bad --at', async () => {
    assert.equal((await run({ bodyFile: join(dir, 'nope') })).code, 2);
    assert.equal((await run({ at: 'not a date' })).code, 2);
  });
});
