// readWebhookHeaders: presence, duplicates and case-insensitive names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAYPAL_WEBHOOK_HEADERS, readWebhookHeaders } from '../../src/paypal/webhook-headers';

const base: Record<string, string> = {
  'paypal-auth-algo': 'SHA256withRSA',
  'paypal-cert-url': 'https://api.paypal.com/v1/notifications/certs/CERT-1',
  'paypal-transmission-id': '4cce5920-5106-11ef-84e2-f38df3f70683',
  'paypal-transmission-sig': 'c2lnbmF0dXJl',
  'paypal-transmission-time': '2024-08-02T19:34:57Z',
  'content-type': 'application/json',
};

void describe('readWebhookHeaders', () => {
  void it('reads all five headers verbatim', () => {
    const r = readWebhookHeaders(base);
    assert.deepEqual(r, {
      ok: true,
      value: {
        authAlgo: 'SHA256withRSA',
        certUrl: 'https://api.paypal.com/v1/notifications/certs/CERT-1',
        transmissionId: '4cce5920-5106-11ef-84e2-f38df3f70683',
        transmissionSig: 'c2lnbmF0dXJl',
        transmissionTime: '2024-08-02T19:34:57Z',
      },
    });
  });

  void it('matches upper-case and mixed-case names', () => {
    const upper = Object.fromEntries(Object.entries(base).map(([k, v]) => [k.toUpperCase(), v]));
    const mixed = Object.fromEntries(Object.entries(base).map(([k, v]) => [k.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase()), v]));
    assert.deepEqual(readWebhookHeaders(upper), readWebhookHeaders(base));
    assert.deepEqual(readWebhookHeaders(mixed), readWebhookHeaders(base));
    assert.equal(readWebhookHeaders(mixed).ok, true);
  });

  for (const [name] of PAYPAL_WEBHOOK_HEADERS) {
    void it(`reports a missing ${name} as 400 missing_header naming the header`, () => {
      for (const variant of [undefined, '', '   ', []] as const) {
        const headers: Record<string, string | string[] | undefined> = { ...base, [name]: variant as string | string[] | undefined };
        if (variant === undefined) delete headers[name];
        const r = readWebhookHeaders(headers);
        assert.equal(r.ok, false);
        if (r.ok) return;
        assert.equal(r.reason.code, 'missing_header');
        assert.equal(r.reason.status, 400);
        assert.ok(r.reason.message.includes(name.toUpperCase()), r.reason.message);
      }
    });

    void it(`reports a duplicated ${name} (array, comma-joined, or two spellings) as 400 duplicate_header naming the header`, () => {
      const value = base[name] ?? '';
      const variants: Record<string, string | string[] | undefined>[] = [
        { ...base, [name]: [value, value] },
        { ...base, [name]: `${value}, ${value}` },
        { ...base, [name.toUpperCase()]: value },
      ];
      for (const headers of variants) {
        const r = readWebhookHeaders(headers);
        assert.equal(r.ok, false);
        if (r.ok) return;
        assert.equal(r.reason.code, 'duplicate_header');
        assert.equal(r.reason.status, 400);
        assert.ok(r.reason.message.includes(name.toUpperCase()), r.reason.message);
      }
    });
  }

  void it('accepts a one-element array value', () => {
    assert.equal(readWebhookHeaders({ ...base, 'paypal-transmission-id': ['abc'] }).ok, true);
  });
});
