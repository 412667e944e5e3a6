import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig, orderTiming } from '../../src/config';

const fails = (env: NodeJS.ProcessEnv, variable: RegExp) =>
  assert.throws(() => loadConfig(env), (err: unknown) => err instanceof ConfigError && variable.test(err.message));

describe('configuration', () => {
  test('embedded defaults need no variables at all', () => {
    const c = loadConfig({});
    assert.equal(c.PORT, 3000);
    assert.equal(c.ADMIN_PORT, 3001);
    assert.equal(c.ADMIN_HOST, '127.0.0.1');
    assert.equal(c.PAYPAL_ENV, 'simulator');
    assert.equal(c.PAYPAL_WEBHOOK_VERIFY, 'offline');
    assert.equal(c.PAYPAL_AUTO_CAPTURE, true);
    assert.equal(c.TEMPORAL_ADDRESS, undefined);
  });

  test('a wrong value stops the process with a message naming the variable', () => {
    fails({ PORT: 'abc' }, /PORT/);
    fails({ PAYPAL_ENV: 'production' }, /PAYPAL_ENV/);
    fails({ PAYPAL_AUTO_CAPTURE: 'maybe' }, /PAYPAL_AUTO_CAPTURE/);
    fails({ RECONCILE_POLL_SCHEDULE: '1m,soon' }, /RECONCILE_POLL_SCHEDULE/);
    fails({ FULFILLMENT_URL: 'ftp://merchant.example/x', FULFILLMENT_SECRET: 's' }, /FULFILLMENT_URL/);
  });

  test('the worker\'s sticky cache holds 500 orders unless TEMPORAL_MAX_CACHED_WORKFLOWS says otherwise', () => {
    assert.equal(loadConfig({}).TEMPORAL_MAX_CACHED_WORKFLOWS, 500);
    assert.equal(loadConfig({ TEMPORAL_MAX_CACHED_WORKFLOWS: '2000' }).TEMPORAL_MAX_CACHED_WORKFLOWS, 2000);
    fails({ TEMPORAL_MAX_CACHED_WORKFLOWS: '1' }, /TEMPORAL_MAX_CACHED_WORKFLOWS/); // the SDK needs 2 or more
    fails({ TEMPORAL_MAX_CACHED_WORKFLOWS: 'lots' }, /TEMPORAL_MAX_CACHED_WORKFLOWS/);
  });

  test('an activity whose worker died is retried after 20 s without a heartbeat, unless ACTIVITY_HEARTBEAT_TIMEOUT says otherwise', () => {
    assert.equal(orderTiming(loadConfig({})).activityHeartbeatTimeoutMs, 20_000);
    assert.equal(orderTiming(loadConfig({ ACTIVITY_HEARTBEAT_TIMEOUT: '45s' })).activityHeartbeatTimeoutMs, 45_000);
    fails({ ACTIVITY_HEARTBEAT_TIMEOUT: '500ms' }, /ACTIVITY_HEARTBEAT_TIMEOUT/); // heartbeats every quarter: too often
    fails({ ACTIVITY_HEARTBEAT_TIMEOUT: 'soon' }, /ACTIVITY_HEARTBEAT_TIMEOUT/);
  });

  test('each process remembers 100,000 recorded PayPal events unless WEBHOOK_EVENT_MEMORY says otherwise (0: none)', () => {
    assert.equal(loadConfig({}).WEBHOOK_EVENT_MEMORY, 100_000);
    assert.equal(loadConfig({ WEBHOOK_EVENT_MEMORY: '0' }).WEBHOOK_EVENT_MEMORY, 0);
    fails({ WEBHOOK_EVENT_MEMORY: '-1' }, /WEBHOOK_EVENT_MEMORY/);
  });

  test('the admin API binds beyond loopback only with a token', () => {
    fails({ ADMIN_HOST: '0.0.0.0' }, /ADMIN_HOST/);
    assert.equal(loadConfig({ ADMIN_HOST: '0.0.0.0', ADMIN_TOKEN: randomBytes(16).toString('hex') }).ADMIN_HOST, '0.0.0.0');
  });

  test('sandbox and live need real credentials, a webhook ID, and a signed service endpoint', () => {
    fails({ PAYPAL_ENV: 'live' }, /PAYPAL_CLIENT_ID[\s\S]*PAYPAL_CLIENT_SECRET[\s\S]*PAYPAL_WEBHOOK_ID[\s\S]*FULFILLMENT_URL/);
    fails({ FULFILLMENT_URL: 'https://merchant.example/hook' }, /FULFILLMENT_SECRET/);
  });

  test('durations are read as durations', () => {
    const t = orderTiming(loadConfig({ RECONCILE_POLL_SCHEDULE: '500ms,30s,5m', PAYMENT_PENDING_DEADLINE: '2d', FULFILLMENT_MAX_ATTEMPTS: '3' }));
    assert.deepEqual(t.pollScheduleMs, [500, 30_000, 300_000]);
    assert.equal(t.paymentPendingDeadlineMs, 2 * 24 * 3600 * 1000);
    assert.equal(t.serviceUpdate.maxAttempts, 3);
  });
});
