// Shared pieces of the micro-benchmarks: per-op timing with process.hrtime.bigint(), percentiles, the machine
// description, and the Markdown table. Each bench module (bench/<name>.ts) exports a {@link BenchModule}.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, platform, release } from 'node:os';

/** Timing of one operation measured {@link OpStats.n} times, one sample per call. */
export interface OpStats {
  name: string;
  n: number;
  /** Calls per second over the whole timed loop (timer reads included). */
  opsPerSec: number;
  meanUs: number;
  p50Us: number;
  p99Us: number;
  minUs: number;
  maxUs: number;
}

/** What one bench module reports: its rows plus the parameters and notes needed to read them. */
export interface BenchReport {
  name: string;
  title: string;
  params: Record<string, string | number>;
  /** Micro-benchmark rows (the µs table); empty for load benchmarks, which use {@link BenchReport.tables}. */
  rows: OpStats[];
  /** Further Markdown tables, each with a heading line, rendered after the rows. */
  tables?: { heading: string; markdown: string }[];
  notes: string[];
}

/** What `npm run bench` shares between benches of one run: one Temporal dev server, started on first use. */
export interface BenchContext {
  /** This bench's Temporal dev server (in-memory, random port, 127.0.0.1); started on first use, stopped after the bench. */
  temporal(): Promise<{ address: string; cliVersion: string; pid?: number }>;
}

/** A named benchmark; bench/run.ts runs every registered module (or those named on the command line). */
export interface BenchModule {
  name: string;
  run(ctx: BenchContext): Promise<BenchReport>;
}

/** The machine a result was produced on; stored next to every result. */
export interface MachineInfo {
  nproc: number;
  node: string;
  cpuModel: string;
  platform: string;
  date: string;
  /** `temporal --version` of the dev server the run used (absent when no bench needed Temporal). */
  temporalCli?: string;
}

/** `nproc`, `node -v` and the CPU model from /proc/cpuinfo (with fallbacks off Linux). */
export function machineInfo(): MachineInfo {
  let nproc = availableParallelism();
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || nproc;
  } catch {
    // not on coreutils; availableParallelism() is the same figure
  }
  let cpuModel = 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // no /proc (macOS, Windows)
  }
  return { nproc, node: process.version, cpuModel, platform: `${platform()} ${release()}`, date: new Date().toISOString() };
}

let clockTicks: number | undefined;

/**
 * CPU time (user + system, ms) another process has used so far, from /proc/<pid>/stat; undefined off Linux or when
 * the process is gone. Used for the Temporal dev server, whose CPU competes with everything else on the machine.
 */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    // Fields after the ")" that ends the command name: state is field 3, utime 14 and stime 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return undefined;
  }
}

/**
 * `total` plus the CPU process `pid` has used since `startMs` (a {@link processCpuMs} reading): how the benches sum
 * the dev server's CPU over their timed windows. Undefined once any reading failed (off Linux, process gone).
 */
export function addCpuSince(total: number | undefined, pid: number | undefined, startMs: number | undefined): number | undefined {
  const now = processCpuMs(pid);
  return total === undefined || startMs === undefined || now === undefined ? undefined : total + now - startMs;
}

/**
 * Runs `op` once per sample, `n` times, after a warm-up round of `warmup` calls (JIT, caches), timing each call
 * with `process.hrtime.bigint()`. Awaits the result only when `op` returns a promise, so synchronous operations
 * are not charged a microtask.
 */
export async function measure(name: string, n: number, op: () => unknown, warmup = n): Promise<OpStats> {
  for (let i = 0; i < warmup; i++) {
    const r = op();
    if (r instanceof Promise) await r;
  }
  const samples = new Float64Array(n);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const r = op();
    if (r instanceof Promise) await r;
    samples[i] = Number(process.hrtime.bigint() - t0);
  }
  const totalNs = Number(process.hrtime.bigint() - start);
  samples.sort();
  const at = (q: number): number => samples[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]! / 1000;
  let sum = 0;
  for (const s of samples) sum += s;
  return {
    name,
    n,
    opsPerSec: n / (totalNs / 1e9),
    meanUs: sum / n / 1000,
    p50Us: at(0.5),
    p99Us: at(0.99),
    minUs: samples[0]! / 1000,
    maxUs: samples[n - 1]! / 1000,
  };
}

const fmt = (x: number, digits: number): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The report as Markdown: title, machine, parameters, one table row per operation, notes. */
export function toMarkdown(report: BenchReport, machine: MachineInfo): string {
  const lines = [
    `## ${report.title}`,
    '',
    `Machine: ${machine.cpuModel}, nproc ${machine.nproc}, Node ${machine.node}, ${machine.platform}${machine.temporalCli ? `, ${machine.temporalCli}` : ''}; run ${machine.date}.`,
    '',
    `Parameters: ${Object.entries(report.params).map(([k, v]) => `${k} = ${v}`).join(', ')}.`,
  ];
  if (report.rows.length > 0) {
    lines.push(
      '',
      '| operation | n | ops/s | mean µs | p50 µs | p99 µs |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...report.rows.map((r) => `| ${r.name} | ${r.n} | ${fmt(r.opsPerSec, 0)} | ${fmt(r.meanUs, 2)} | ${fmt(r.p50Us, 2)} | ${fmt(r.p99Us, 2)} |`),
    );
  }
  for (const t of report.tables ?? []) lines.push('', t.heading, '', t.markdown);
  if (report.notes.length > 0) lines.push('', ...report.notes.map((n) => `- ${n}`));
  return `${lines.join('\n')}\n`;
}

/** Throughput and per-call latency of an operation run `n` times by `concurrency` callers in a closed loop. */
export interface LoadStats {
  name: string;
  n: number;
  concurrency: number;
  /** Completed calls per second over the whole run (first call started → last call finished). */
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** The q-quantile (nearest rank) of ascending `sorted`. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  return n === 0 ? Number.NaN : sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
}

/**
 * Runs `op(i)` for i in [0, n) with `concurrency` callers, each starting its next call as soon as its last one
 * finished (closed loop), and times every call with `process.hrtime.bigint()`. A failing call fails the run.
 * `samples` collects the per-call latencies (ms) when several runs are pooled into one row ({@link poolLoad}).
 */
export async function runLoad(n: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<{ samples: Float64Array; elapsedMs: number }> {
  const samples = new Float64Array(n);
  let next = 0;
  const start = process.hrtime.bigint();
  const caller = async (): Promise<void> => {
    for (let i = next++; i < n; i = next++) {
      const t0 = process.hrtime.bigint();
      await op(i);
      samples[i] = Number(process.hrtime.bigint() - t0) / 1e6;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, caller));
  return { samples, elapsedMs: Number(process.hrtime.bigint() - start) / 1e6 };
}

/**
 * One timed window: {@link runLoad} under {@link profiled} (`label` names the profile; without a label the window
 * is not profiled), plus the CPU this process spent in it (user + system, every thread; ms). The benches' load
 * windows all take this shape.
 */
export async function timedLoad(label: string | undefined, n: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<{ samples: Float64Array; elapsedMs: number; cpuMs: number }> {
  const cpu0 = process.cpuUsage();
  const run = label === undefined ? await runLoad(n, concurrency, op) : await profiled(label, () => runLoad(n, concurrency, op));
  const cpu = process.cpuUsage(cpu0);
  return { ...run, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** Pools several {@link runLoad} results of the same operation into one row (total calls over total time). */
export function poolLoad(name: string, concurrency: number, runs: { samples: Float64Array; elapsedMs: number }[]): LoadStats {
  const all = Float64Array.from(runs.flatMap((r) => [...r.samples])).sort();
  const elapsedMs = runs.reduce((s, r) => s + r.elapsedMs, 0);
  return { name, n: all.length, concurrency, perSec: all.length / (elapsedMs / 1000), p50Ms: quantile(all, 0.5), p99Ms: quantile(all, 0.99), maxMs: quantile(all, 1) };
}

/** One timed window of a path: how many calls (or orders) completed in how long. */
export interface TimedWindow {
  calls: number;
  elapsedMs: number;
}

/**
 * A 95 % interval for throughput(a) ÷ throughput(b), two paths measured in interleaved cycles: each cycle ran a
 * window of a and a window of b back to back, so a slow stretch of the server or of a neighbour hits both. The
 * ratio is the one the tables report, pooled calls over pooled time per path. A paired block bootstrap: whole
 * cycles are resampled with replacement (keeping each cycle's two windows together, so what hit both cancels out),
 * and the 2.5 % and 97.5 % quantiles of the resampled ratios are returned. Seeded, so one set of windows always
 * gives the same interval. With few cycles (the e2e bench's rounds) the interval is coarse, not wrong.
 */
export function throughputRatioInterval(cycles: { a: TimedWindow; b: TimedWindow }[], resamples = 2000): { lo: number; hi: number } {
  let seed = 0x9e3779b9; // mulberry32: a small, seeded PRNG (Math.random cannot be seeded)
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const ratios = Float64Array.from({ length: resamples }, () => {
    const sum = { callsA: 0, msA: 0, callsB: 0, msB: 0 };
    for (let i = 0; i < cycles.length; i++) {
      const { a, b } = cycles[Math.floor(random() * cycles.length)]!;
      sum.callsA += a.calls;
      sum.msA += a.elapsedMs;
      sum.callsB += b.calls;
      sum.msB += b.elapsedMs;
    }
    return sum.callsA / sum.msA / (sum.callsB / sum.msB);
  }).sort();
  return { lo: quantile(ratios, 0.025), hi: quantile(ratios, 0.975) };
}

/** Calls per second over a path's timed windows, pooled: all calls over all their time. */
export function pooledPerSec(windows: readonly TimedWindow[]): number {
  return windows.reduce((n, w) => n + w.calls, 0) / (windows.reduce((ms, w) => ms + w.elapsedMs, 0) / 1000);
}

/** {@link throughputRatioInterval} of paths a and b, whose windows are paired by index (cycle or round), as `lo–hi`. */
export function ratioIntervalText(a: readonly TimedWindow[], b: readonly TimedWindow[]): string {
  const { lo, hi } = throughputRatioInterval(a.map((window, k) => ({ a: window, b: b[k]! })));
  return `${lo.toFixed(2)}–${hi.toFixed(2)}`;
}

/** A Markdown table from a header row and body rows (numbers formatted with `digits` decimals). */
export function markdownTable(header: string[], rows: (string | number)[][], digits = 1): string {
  const cell = (v: string | number): string => (typeof v === 'number' ? fmt(v, digits) : v);
  const align = header.map((_, i) => (rows.every((r) => typeof r[i] === 'number') ? '---:' : '---'));
  return [`| ${header.join(' | ')} |`, `| ${align.join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

/** Prints a progress line on stderr (stdout carries the Markdown results). */
export function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/**
 * Runs `fn` under the V8 CPU profiler (node:inspector) when BENCH_CPU_PROF_DIR is set, writing
 * `<dir>/<label>.cpuprofile` for bench/profile-summary.ts; otherwise just runs it. Profiles only the window that
 * matters, not setup such as signing or key generation.
 */
export async function profiled<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_CPU_PROF_DIR;
  if (!dir) return fn();
  const { Session } = await import('node:inspector');
  const { writeFileSync, mkdirSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  const post = (method: string) => new Promise<unknown>((resolve, reject) => session.post(method, (err, res) => (err ? reject(err) : resolve(res))));
  await post('Profiler.enable');
  await post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/${label}.cpuprofile`, JSON.stringify(profile));
    session.disconnect();
  }
}
