import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import type { Logger } from '../logger';

/** Routes the Temporal SDK's logs (worker, workflow and activity loggers) into our pino logger. */
class PinoTemporalLogger implements TemporalLogger {
  constructor(private readonly pino: Logger) {}
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const method = ({ TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const)[level];
    this.pino[method](meta ?? {}, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/**
 * An SDK logger for tools that bundle or replay workflows (the test runner, tests, benches, chaos): the
 * webpack bundler's and replay worker's chatter is dropped; warnings and errors go to `report` (default: dropped).
 */
export function quietSdkLogger(report: (message: string) => void = () => {}): TemporalLogger {
  const drop = () => {};
  return {
    log: (level, message) => (level === 'WARN' || level === 'ERROR' ? report(message) : undefined),
    trace: drop,
    debug: drop,
    info: drop,
    warn: (message) => report(message),
    error: (message) => report(message),
  };
}

/**
 * Installs a quiet SDK runtime for a tool that replays workflows (chaos's replay check, the benches' replays), unless
 * this process has one already: quietSdkLogger(report), Core's own logs at ERROR only.
 */
export function installQuietSdkRuntime(report?: (message: string) => void): void {
  if (Runtime._instance) return;
  Runtime.install({ logger: quietSdkLogger(report), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
}

/**
 * Installs the SDK runtime with our logger (and, with a port, its Prometheus exporter on loopback). The runtime is process-wide and can be installed once, before the
 * first worker; later calls are no-ops (tests start several products in one process).
 */
export function installTemporalRuntime(logger: Logger, metricsPort = 0): void {
  if (Runtime._instance) return;
  Runtime.install({
    logger: new PinoTemporalLogger(logger.child({ component: 'temporal' })),
    telemetryOptions: {
      // Core (Rust) logs go through the same logger instead of raw stderr; only warnings and errors matter here.
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      // The SDK's worker metrics (task latencies, slots, polls), scraped through the admin port's /metrics.
      ...(metricsPort > 0 ? { metrics: { prometheus: { bindAddress: `127.0.0.1:${metricsPort}` } } } : {}),
    },
  });
}
