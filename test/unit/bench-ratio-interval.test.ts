// The benches' confidence interval for a throughput ratio (bench/harness.ts throughputRatioInterval).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pooledPerSec, throughputRatioInterval, type TimedWindow } from '../../bench/harness';

/** A window of 100 calls taking `ms`. */
const window = (ms: number): TimedWindow => ({ calls: 100, elapsedMs: ms });

/** `count` cycles; cycle k gets a window of a and of b from the given makers. */
function cycles(count: number, a: (k: number) => TimedWindow, b: (k: number) => TimedWindow) {
  return Array.from({ length: count }, (_, k) => ({ a: a(k), b: b(k) }));
}

describe('throughputRatioInterval', () => {
  test('a path that needs twice the time for its calls has half the throughput: the interval brackets 0.5', () => {
    const { lo, hi } = throughputRatioInterval(cycles(20, (k) => window(1000 + 50 * Math.sin(k)), (k) => window(500 + 25 * Math.cos(k))));
    assert.ok(lo < 0.5 && hi > 0.5, `interval ${lo}–${hi} should contain 0.5`);
    assert.ok(lo > 0.45 && hi < 0.55, `interval ${lo}–${hi} should be narrow`);
  });

  test('cycles that differ more give a wider interval', () => {
    const steady = throughputRatioInterval(cycles(20, (k) => window(500 + 20 * Math.sin(k)), (k) => window(500 + 20 * Math.cos(k))));
    const unsteady = throughputRatioInterval(cycles(20, (k) => window(500 + 200 * Math.sin(k)), (k) => window(500 + 200 * Math.cos(k))));
    assert.ok(unsteady.hi - unsteady.lo > 3 * (steady.hi - steady.lo), `unsteady ${unsteady.lo}–${unsteady.hi} vs steady ${steady.lo}–${steady.hi}`);
  });

  test('a slow stretch that hits both windows of a cycle cancels out (paired resampling)', () => {
    // b is 10 % faster than a throughout; in 3 of 20 cycles the server is 5× slower for both.
    const slow = (k: number) => (k % 7 === 3 ? 5 : 1);
    const { lo, hi } = throughputRatioInterval(cycles(20, (k) => window(1100 * slow(k)), (k) => window(1000 * slow(k))));
    assert.ok(lo > 0.88 && hi < 0.94, `interval ${lo}–${hi} should stay close to 10/11 = 0.909`);
  });

  test('is the pooled ratio (calls over time per path), and deterministic for the same windows', () => {
    const c = [{ a: { calls: 100, elapsedMs: 1000 }, b: { calls: 300, elapsedMs: 2000 } }];
    assert.deepEqual(throughputRatioInterval(c), { lo: 100 / 1000 / (300 / 2000), hi: 100 / 1000 / (300 / 2000) });
    const many = cycles(10, (k) => window(600 + 100 * Math.sin(k)), (k) => window(500 + 100 * Math.cos(k)));
    assert.deepEqual(throughputRatioInterval(many), throughputRatioInterval(many));
  });
});

test('a path\'s rate pools its windows: all calls over all their time, not a mean of the windows\' rates', () => {
  // 100 calls in 1 s (100/s) and 100 in 4 s (25/s) pool to 40/s, where the mean of the two rates is 62.5/s.
  assert.equal(pooledPerSec([{ calls: 100, elapsedMs: 1000 }, { calls: 100, elapsedMs: 4000 }]), 40);
});
