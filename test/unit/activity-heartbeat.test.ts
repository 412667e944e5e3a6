// heartbeatWhile: an attempt with a heartbeat timeout heartbeats every quarter of it while its work runs, and stops
// when the work ends; an attempt without one, or one that ends within the first quarter, sends none.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test, mock } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { heartbeatWhile } from '../../src/activities/heartbeat';

beforeEach(() => mock.timers.enable({ apis: ['setInterval'] }));
afterEach(() => mock.timers.reset());

/** Runs heartbeatWhile in an activity whose work ends when `finish` is called; counts the heartbeats sent. */
function attempt(heartbeatTimeoutMs: number | undefined, details?: () => unknown) {
  const env = new MockActivityEnvironment({ heartbeatTimeoutMs });
  const beats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => beats.push(d));
  let finish!: (value: string) => void;
  const work = new Promise<string>((resolve) => (finish = resolve));
  const result = env.run(() => heartbeatWhile(() => work, { details }));
  return { beats, finish, result };
}

test('heartbeats every quarter of the heartbeat timeout while the work runs, with the latest details', async () => {
  let page = 0;
  const a = attempt(20_000, () => ({ page }));
  mock.timers.tick(4_999);
  assert.equal(a.beats.length, 0, 'nothing before the first quarter');
  mock.timers.tick(1);
  page = 1;
  mock.timers.tick(5_000);
  mock.timers.tick(5_000);
  assert.deepEqual(a.beats, [{ page: 0 }, { page: 1 }, { page: 1 }]);
  a.finish('done');
  assert.equal(await a.result, 'done');
  mock.timers.tick(60_000);
  assert.equal(a.beats.length, 3, 'no heartbeat once the work has ended');
});

test('an attempt that ends within the first quarter sends no heartbeat', async () => {
  const a = attempt(20_000);
  mock.timers.tick(4_000);
  a.finish('quick');
  assert.equal(await a.result, 'quick');
  mock.timers.tick(60_000);
  assert.deepEqual(a.beats, []);
});

test('an attempt without a heartbeat timeout (a run started before it existed) sends none', async () => {
  const a = attempt(undefined);
  mock.timers.tick(120_000);
  a.finish('old run');
  assert.equal(await a.result, 'old run');
  assert.deepEqual(a.beats, []);
});

test('the interval can be given outright (the sweep heartbeats on its own schedule)', async () => {
  const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 30_000 });
  let beats = 0;
  env.on('heartbeat', () => beats++);
  let finish!: () => void;
  const result = env.run(() => heartbeatWhile(() => new Promise<void>((resolve) => (finish = resolve)), { everyMs: 10_000 }));
  mock.timers.tick(25_000);
  finish();
  await result;
  assert.equal(beats, 2);
});

test('a failing work rejects as it did, and its heartbeats stop', async () => {
  const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 4_000 });
  let beats = 0;
  env.on('heartbeat', () => beats++);
  let fail!: (err: Error) => void;
  const result = env.run(() => heartbeatWhile(() => new Promise<never>((_, reject) => (fail = reject))));
  mock.timers.tick(1_000);
  fail(new Error('PayPal unreachable'));
  await assert.rejects(result, /PayPal unreachable/);
  mock.timers.tick(10_000);
  assert.equal(beats, 1);
});
