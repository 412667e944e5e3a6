// The intake bench's confidence interval for a throughput ratio (bench/harness.ts throughputRatioInterval).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { throughputRatioInterval } from '../../bench/harness';

/** `n` latencies (ms) around `mean`, varying by a deterministic ±`spread`. */
function latencies(n: number, mean: number, spread: number, phase = 0): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => mean + spread * Math.sin(i * 0.37 + phase));
}

describe('throughputRatioInterval', () => {
  test('a path whose calls take twice as long has half the throughput: the interval brackets 0.5', () => {
    const { lo, hi } = throughputRatioInterval([latencies(1000, 10, 3)], [latencies(1000, 5, 1.5, 1)]);
    assert.ok(lo < 0.5 && hi > 0.5, `interval ${lo}–${hi} should contain 0.5`);
    assert.ok(lo > 0.45 && hi < 0.55, `interval ${lo}–${hi} should be narrow for steady calls`);
  });

  test('noisier calls give a wider interval', () => {
    const steady = throughputRatioInterval([latencies(1000, 5, 0.5)], [latencies(1000, 5, 0.5, 1)]);
    const noisy = throughputRatioInterval([latencies(1000, 5, 4)], [latencies(1000, 5, 4, 1)]);
    assert.ok(noisy.hi - noisy.lo > 2 * (steady.hi - steady.lo), `noisy ${noisy.lo}–${noisy.hi} vs steady ${steady.lo}–${steady.hi}`);
  });

  test('a slow stretch counts as one event, not as many independent slow calls (blocks of consecutive calls)', () => {
    // 50 consecutive calls at 40 ms (a server hiccup) among 950 at 4 ms, against a steady path.
    const hiccup = Float64Array.from({ length: 1000 }, (_, i) => (i >= 500 && i < 550 ? 40 : 4));
    const steady = latencies(1000, 4, 0.1);
    const { lo, hi } = throughputRatioInterval([hiccup], [steady]);
    const point = 4 / (hiccup.reduce((a, b) => a + b, 0) / 1000);
    assert.ok(lo <= point && point <= hi, `interval ${lo}–${hi} should contain the point estimate ${point}`);
    // Resampling whole blocks, the hiccup is either in a resample or not: the interval reaches 1 (no hiccup drawn).
    assert.ok(hi >= 0.95, `upper bound ${hi} should reach near 1`);
  });

  test('pools several runs of a path and is deterministic for the same samples', () => {
    const a = [latencies(500, 6, 2), latencies(500, 6, 2, 2)];
    const b = [latencies(500, 5, 2, 1), latencies(500, 5, 2, 3)];
    assert.deepEqual(throughputRatioInterval(a, b), throughputRatioInterval(a, b));
  });
});
