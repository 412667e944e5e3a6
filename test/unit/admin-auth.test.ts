import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import { bearerAuth } from '../../src/api/admin-auth';

async function app(limits = { maxFailures: 3, windowMs: 60_000, maxTracked: 100 }, clock = { t: 0 }) {
  const a = Fastify();
  a.addHook('onRequest', bearerAuth('s3cret-token', limits, () => clock.t));
  a.get('/x', () => ({ ok: true }));
  await a.ready();
  return a;
}

const call = (a: Awaited<ReturnType<typeof app>>, auth?: string, ip = '10.0.0.1') =>
  a.inject({ method: 'GET', url: '/x', headers: auth ? { authorization: auth } : {}, remoteAddress: ip });

describe('admin bearer auth', () => {
  test('the right token passes; missing, wrong, or non-Bearer tokens get 401 with a reason', async () => {
    const a = await app({ maxFailures: 100, windowMs: 60_000, maxTracked: 100 });
    assert.equal((await call(a, 'Bearer s3cret-token')).statusCode, 200);
    for (const auth of [undefined, 'Bearer wrong', 'Bearer s3cret-token-longer', 'Basic s3cret-token', 'Bearer ']) {
      const res = await call(a, auth);
      assert.equal(res.statusCode, 401, String(auth));
      assert.equal(res.json<{ error: string }>().error, 'unauthorized');
    }
  });

  test('repeated failures from one address are rate limited, others are not, and the limit expires', async () => {
    const clock = { t: 1_000_000 };
    const a = await app({ maxFailures: 3, windowMs: 60_000, maxTracked: 100 }, clock);
    for (let i = 0; i < 3; i++) assert.equal((await call(a, 'Bearer guess')).statusCode, 401);
    const limited = await call(a, 'Bearer s3cret-token');
    assert.equal(limited.statusCode, 429, 'even the right token waits once the address is limited');
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.equal((await call(a, 'Bearer s3cret-token', '10.0.0.2')).statusCode, 200, 'another address is unaffected');
    clock.t += 60_000;
    assert.equal((await call(a, 'Bearer s3cret-token')).statusCode, 200, 'the window expired');
  });

  test('successful requests never count towards the limit', async () => {
    const a = await app();
    for (let i = 0; i < 20; i++) assert.equal((await call(a, 'Bearer s3cret-token')).statusCode, 200);
  });
});
