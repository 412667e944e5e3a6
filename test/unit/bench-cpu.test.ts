// How the benches sum another process's CPU over their timed windows (bench/harness.ts addCpuSince).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addCpuSince, processCpuMs } from '../../bench/harness';

describe('addCpuSince', () => {
  test('adds the CPU a process spent since a reading to the total', () => {
    const start = processCpuMs(process.pid);
    assert.ok(start !== undefined, 'this process has a /proc entry');
    const cpu0 = process.cpuUsage();
    while (process.cpuUsage(cpu0).user < 50_000); // burn 50 ms of CPU between the two readings
    const total = addCpuSince(1000, process.pid, start);
    assert.ok(total !== undefined && total > 1000, `total ${String(total)} should grow past 1000`);
  });

  test('is undefined once any reading failed, and stays so', () => {
    const start = processCpuMs(process.pid);
    assert.equal(addCpuSince(undefined, process.pid, start), undefined, 'a total that already failed');
    assert.equal(addCpuSince(0, process.pid, undefined), undefined, 'a failed start reading');
    assert.equal(addCpuSince(0, undefined, start), undefined, 'no process to read');
  });
});
