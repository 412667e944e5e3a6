// API-mode verifier: the request body splices the raw event verbatim; PayPal's answers map to results.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildVerifyRequestBody, createApiVerifier } from '../../src/paypal/api-verifier';
import type { VerificationResult } from '../../src/paypal/signature';

const headers = {
  'paypal-auth-algo': 'SHA256withRSA',
  'paypal-cert-url': 'https://api.paypal.com/v1/notifications/certs/CERT-1',
  'paypal-transmission-id': 'tid-1',
  'paypal-transmission-sig': 'c2ln',
  'paypal-transmission-time': new Date().toISOString(),
};

function code(r: VerificationResult): string {
  return r.ok ? 'ok' : r.failure.code;
}

function apiVerifier(answer: () => Promise<{ verification_status: string }>): { verifier: ReturnType<typeof createApiVerifier>; sent: string[] } {
  const sent: string[] = [];
  const verifier = createApiVerifier({ webhookId: 'WH-ID-1', callVerifyApi: (json) => (sent.push(json), answer()) });
  return { verifier, sent };
}

void describe('API verifier', () => {
  const bodies: [string, Buffer][] = [
    ['compact ASCII', Buffer.from('{"id":"WH-1","event_type":"X"}', 'utf8')],
    ['non-ASCII and escapes', Buffer.from('{"id":"WH-2","summary":"Zahlung über 10,00 € — 日本","esc":"\\u00e9\\n","n":1.50e+2}', 'utf8')],
    ['unusual whitespace and key order', Buffer.from('{ "z" :\t1 ,\r\n  "a": [ 1 ,2 ]  ,"id" : "WH-3" }\n', 'utf8')],
  ];
  for (const [name, raw] of bodies) {
    void it(`splices the raw body byte for byte (${name}) into an otherwise exact request`, async () => {
      const { verifier, sent } = apiVerifier(() => Promise.resolve({ verification_status: 'SUCCESS' }));
      assert.deepEqual(await verifier.verify(headers, raw), { ok: true });
      assert.equal(sent.length, 1);
      const json = sent[0] ?? '';
      const bytes = Buffer.from(json, 'utf8');
      assert.ok(bytes.includes(raw), 'raw body bytes appear verbatim');
      const prefix = `{"auth_algo":"SHA256withRSA","cert_url":"https://api.paypal.com/v1/notifications/certs/CERT-1","transmission_id":"tid-1","transmission_sig":"c2ln","transmission_time":${JSON.stringify(headers['paypal-transmission-time'])},"webhook_id":"WH-ID-1","webhook_event":`;
      assert.ok(Buffer.concat([Buffer.from(prefix, 'utf8'), raw, Buffer.from('}', 'utf8')]).equals(bytes), 'exact request body');
      const parsed = JSON.parse(json) as { webhook_event: unknown };
      assert.deepEqual(parsed.webhook_event, JSON.parse(raw.toString('utf8')));
    });
  }

  void it('maps FAILURE to 401 signature_invalid', async () => {
    const r = await apiVerifier(() => Promise.resolve({ verification_status: 'FAILURE' })).verifier.verify(headers, bodies[0]![1]);
    assert.equal(code(r), 'signature_invalid');
    assert.equal(r.ok ? 0 : r.failure.status, 401);
  });

  void it('maps a throwing call and an unexpected status to 503 verification_unavailable', async () => {
    for (const answer of [() => Promise.reject(new Error('socket hang up')), () => Promise.resolve({ verification_status: 'PENDING' })]) {
      const r = await apiVerifier(answer).verifier.verify(headers, bodies[0]![1]);
      assert.equal(code(r), 'verification_unavailable');
      assert.equal(r.ok ? 0 : r.failure.status, 503);
    }
  });

  void it('rejects non-UTF-8, non-JSON, BOM-prefixed or non-object bodies with 400 before calling PayPal', async () => {
    const bad = [Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), Buffer.from('not json'), Buffer.from('\ufeff{"id":"x"}', 'utf8'), Buffer.from('[1,2]'), Buffer.from('{"a":1} trailing')];
    for (const raw of bad) {
      const { verifier, sent } = apiVerifier(() => Promise.resolve({ verification_status: 'SUCCESS' }));
      const r = await verifier.verify(headers, raw);
      assert.equal(r.ok ? 0 : r.failure.status, 400, raw.toString('hex'));
      assert.equal(sent.length, 0);
    }
    assert.equal(buildVerifyRequestBody({ authAlgo: 'a', certUrl: 'c', transmissionId: 'i', transmissionSig: 's', transmissionTime: 't' }, 'w', Buffer.from('"str"')), undefined);
  });

  void it('runs header, algorithm and time checks locally without calling PayPal', async () => {
    const { verifier, sent } = apiVerifier(() => Promise.resolve({ verification_status: 'SUCCESS' }));
    const { ['paypal-transmission-sig']: _omit, ...missing } = headers;
    assert.equal(code(await verifier.verify(missing, bodies[0]![1])), 'missing_header');
    assert.equal(code(await verifier.verify({ ...headers, 'paypal-transmission-id': ['a', 'b'] }, bodies[0]![1])), 'duplicate_header');
    assert.equal(code(await verifier.verify({ ...headers, 'paypal-auth-algo': 'SHA1withRSA' }, bodies[0]![1])), 'unsupported_algorithm');
    assert.equal(code(await verifier.verify({ ...headers, 'paypal-transmission-time': 'soon' }, bodies[0]![1])), 'transmission_time_invalid');
    assert.equal(code(await verifier.verify({ ...headers, 'paypal-transmission-time': '2015-05-12T18:14:14Z' }, bodies[0]![1])), 'transmission_time_outside_window');
    assert.equal(sent.length, 0);
  });
});
