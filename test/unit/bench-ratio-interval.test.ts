// The intake bench's confidence interval for a throughput ratio (bench/harness.ts throughputRatioInterval).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { throughputRatioInterval } from '../../bench/harness';

/** `n` latencies (ms) around `mean`, varying by a deterministic ±`spread`. */
function latencies(n: number, mean: number, spread: number, phase = 0): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => mean + spread * Math.sin(i * 0.37 + phase));
}

/** `count` cycles; cycle k gets a block of a and of b from the given makers. */
function cycles(count: number, a: (k: number) => Float64Array, b: (k: number) => Float64Array) {
  return Array.from({ length: count }, (_, k) => ({ a: a(k), b: b(k) }));
}

describe('throughputRatioInterval', () => {
  test('a path whose calls take twice as long has half the throughput: the interval brackets 0.5', () => {
    const { lo, hi } = throughputRatioInterval(cycles(20, (k) => latencies(100, 10 + Math.sin(k), 3), (k) => latencies(100, 5 + Math.cos(k), 1.5, 1)));
    assert.ok(lo < 0.5 && hi > 0.5, `interval ${lo}–${hi} should contain 0.5`);
    assert.ok(lo > 0.4 && hi < 0.6, `interval ${lo}–${hi} should be narrow`);
  });

  test('cycles that differ more give a wider interval', () => {
    const steady = throughputRatioInterval(cycles(20, (k) => latencies(100, 5 + 0.2 * Math.sin(k), 1), (k) => latencies(100, 5 + 0.2 * Math.cos(k), 1)));
    const unsteady = throughputRatioInterval(cycles(20, (k) => latencies(100, 5 + 2 * Math.sin(k), 1), (k) => latencies(100, 5 + 2 * Math.cos(k), 1)));
    assert.ok(unsteady.hi - unsteady.lo > 3 * (steady.hi - steady.lo), `unsteady ${unsteady.lo}–${unsteady.hi} vs steady ${steady.lo}–${steady.hi}`);
  });

  test('a slow stretch that hits both paths of a cycle cancels out (paired resampling)', () => {
    // b is 10 % faster than a throughout; in 3 of 20 cycles the server is 5× slower for both.
    const slow = (k: number) => (k % 7 === 3 ? 5 : 1);
    const { lo, hi } = throughputRatioInterval(cycles(20, (k) => latencies(100, 11 * slow(k), 0.5), (k) => latencies(100, 10 * slow(k), 0.5, 1)));
    assert.ok(lo > 0.88 && hi < 0.94, `interval ${lo}–${hi} should stay close to 10/11 = 0.909`);
  });

  test('is deterministic for the same samples', () => {
    const c = cycles(10, (k) => latencies(50, 6 + Math.sin(k), 2), (k) => latencies(50, 5 + Math.cos(k), 2, 1));
    assert.deepEqual(throughputRatioInterval(c), throughputRatioInterval(c));
  });
});
