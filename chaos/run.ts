// `npm run chaos [-- --orders 1000 --max-minutes 15 ...]`: the product under faults at scale, bounded in time,
// exit code 1 on any violated invariant (with the order IDs). Every flag has a CHAOS_* environment twin.
import { runChaos, type ChaosOptions, type ChaosReport } from './engine';

/** Flag / environment variable → option, with defaults for `npm run chaos`. */
const SETTINGS: { flag: string; env: string; key: keyof Omit<ChaosOptions, 'log'>; fallback: string; help: string }[] = [
  { flag: 'orders', env: 'CHAOS_ORDERS', key: 'orders', fallback: '1000', help: 'simulated orders' },
  { flag: 'rate', env: 'CHAOS_RATE', key: 'ratePerSec', fallback: '6', help: 'orders created per second' },
  { flag: 'max-minutes', env: 'CHAOS_MAX_MINUTES', key: 'maxMinutes', fallback: '15', help: 'hard bound of the whole run' },
  { flag: 'worker-kills', env: 'CHAOS_WORKER_KILLS', key: 'workerKills', fallback: '4', help: 'worker SIGKILLs (each followed by a restart)' },
  { flag: 'temporal-restart', env: 'CHAOS_TEMPORAL_RESTART', key: 'temporalRestart', fallback: 'true', help: 'stop and restart the Temporal dev server once' },
  { flag: 'temporal-down-ms', env: 'CHAOS_TEMPORAL_DOWN_MS', key: 'temporalDownMs', fallback: '10000', help: 'how long Temporal stays down' },
  { flag: 'merchant-down-ms', env: 'CHAOS_MERCHANT_DOWN_MS', key: 'merchantDownMs', fallback: '30000', help: "how long the merchant's service is fully down" },
  { flag: 'phase-ms', env: 'CHAOS_PHASE_MS', key: 'phaseMs', fallback: '6000', help: 'gap between webhook/API fault rotations' },
  { flag: 'seed', env: 'CHAOS_SEED', key: 'seed', fallback: '1', help: 'random seed (scenario mix, fault order)' },
  { flag: 'sweep-interval', env: 'CHAOS_SWEEP_INTERVAL', key: 'sweepInterval', fallback: '20s', help: 'WEBHOOK_SWEEP_INTERVAL of the product' },
  { flag: 'sweep-lookback', env: 'CHAOS_SWEEP_LOOKBACK', key: 'sweepLookback', fallback: '5m', help: 'WEBHOOK_SWEEP_LOOKBACK of the product' },
  { flag: 'keep', env: 'CHAOS_KEEP', key: 'keepDir', fallback: 'false', help: 'keep the scratch dir (SQLite, logs) even when the run passes' },
];

/** Parses `--flag value` / `--flag=value` arguments over CHAOS_* variables over the defaults. */
export function parseChaosArgs(argv: string[], env: NodeJS.ProcessEnv): Omit<ChaosOptions, 'log'> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      console.log(`npm run chaos -- [flags]\n${SETTINGS.map((s) => `  --${s.flag.padEnd(18)} ${s.env.padEnd(24)} default ${s.fallback.padEnd(6)} ${s.help}`).join('\n')}`);
      process.exit(0);
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unexpected argument ${arg}`);
    const value = m[2] ?? (argv[i + 1]?.startsWith('--') !== false ? 'true' : argv[++i]!);
    flags.set(m[1]!, value);
  }
  const out: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const raw = flags.get(s.flag) ?? env[s.env] ?? s.fallback;
    flags.delete(s.flag);
    if (s.fallback === 'true' || s.fallback === 'false') out[s.key] = raw === 'true' || raw === '1';
    else if (/^\d+$/.test(s.fallback)) {
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0) throw new Error(`--${s.flag} / ${s.env}: "${raw}" is not a number`);
      out[s.key] = n;
    } else out[s.key] = raw;
  }
  if (flags.size > 0) throw new Error(`unknown flag(s): ${[...flags.keys()].map((f) => `--${f}`).join(', ')}`);
  return out as unknown as Omit<ChaosOptions, 'log'>;
}

/** `name count` pairs, the largest count first. */
function largestFirst(counts: Record<string, number>): string {
  return Object.entries(counts).sort(([, a], [, b]) => b - a).map(([name, n]) => `${name} ${n}`).join(', ');
}

/** The human-readable result block printed at the end of a run. */
export function formatReport(r: ChaosReport): string {
  const s = r.stats;
  const lines = [
    '',
    `CHAOS ${r.ok ? 'PASSED' : 'FAILED'} in ${(r.durationMs / 1000).toFixed(0)} s — ${r.options.orders} orders, seed ${r.options.seed}`,
    `  scenarios        ${Object.entries(r.scenarios).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `  final states     ${s ? Object.entries(s.finalStates).map(([k, n]) => `${k} ${n}`).join(', ') : '—'}`,
    `  converged        ${r.converged ? `yes, ${((r.settledAfterFaultsMs ?? 0) / 1000).toFixed(0)} s after the last fault step ended` : 'NO'}`,
    `  worker           ${r.worker.starts} starts, ${r.worker.kills} SIGKILLs, ${r.worker.unexpectedExits} unexpected exits, restarts ready in ${r.worker.restartMs.join('/')} ms`,
    `  temporal         ${r.temporalDown.length} restart(s) on the same SQLite file`,
    `  merchant         ${Object.entries(r.merchant).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    s && `  webhooks         ${s.eventsGenerated} events, ${s.deliveryAttempts} delivery attempts (${s.deliveries2xx} answered 2xx), ${s.eventsAcked} events acknowledged, ${s.signalsRecorded} signals in histories, ${s.eventsNeverRecorded} events never recorded (never delivered, and not yet swept or, when swept, already reflected by their fulfilled order)`,
    s && `  answers          ${largestFirst(s.deliveryOutcomes)} (delivery attempts by the intake's status code; injected: the simulator forced a failure, whether it sent the request or not)`,
    `  intake refused   ${largestFirst(r.intakeFailures) || 'nothing'} (the intake's answers other than 2xx, by reason)`,
    s && `  503 answers      ${s.unavailableWhileTemporalDown} to attempts started while the Temporal dev server was down, ${(s.deliveryOutcomes['503'] ?? 0) - s.unavailableWhileTemporalDown} at other times`,
    s && `  resends          ${s.resendsBeforeRecorded} service-update resends before the workflow recorded success, ${s.lateArrivals} earlier attempts arriving after it (all answered 409; at-least-once by design)`,
    r.eventLoopDelayMs && `  chaos process    event-loop delay p50 ${r.eventLoopDelayMs.p50} ms, p99 ${r.eventLoopDelayMs.p99} ms, max ${r.eventLoopDelayMs.max} ms (simulator, intake, admin API, merchant and driver share it)`,
    `  faults           ${r.faultsApplied.length} steps (${[...new Set(r.faultsApplied.map((f) => f.label))].length} distinct)`,
    `  violations       ${r.violations.length}`,
  ];
  const byCheck = new Map<string, typeof r.violations>();
  for (const v of r.violations) byCheck.set(v.check, [...(byCheck.get(v.check) ?? []), v]);
  for (const [check, list] of byCheck) {
    lines.push(`    ${check}: ${list.length} — orders ${[...new Set(list.map((v) => v.orderId))].slice(0, 50).join(' ')}`);
    for (const v of list.slice(0, 10)) lines.push(`      ${v.orderId}: ${v.detail}`);
  }
  if (!r.ok) lines.push(`  logs and Temporal SQLite kept in ${r.scratchDir}`);
  return lines.filter(Boolean).join('\n');
}

async function main(): Promise<number> {
  const options = parseChaosArgs(process.argv.slice(2), process.env);
  // Stops by itself even if something hangs: two minutes of grace past the bound for teardown.
  setTimeout(() => {
    console.error(`chaos: still running ${options.maxMinutes} min + 2 min grace after start; giving up`);
    process.exit(1);
  }, (options.maxMinutes + 2) * 60_000).unref();
  console.log(`chaos: ${JSON.stringify(options)}`);
  const report = await runChaos({ ...options, log: (line) => console.log(line) });
  console.log(formatReport(report));
  return report.ok ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error('chaos run failed to run:', err);
      process.exit(1);
    },
  );
}
