import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Structured JSON logs. Anything that could carry a secret is redacted at the source, so a new log line cannot
 * leak a token by accident. `destination` defaults to stdout (tests pass a collector).
 */
export function createLogger(level: string, base: Record<string, unknown> = {}, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'paypal-fulfilment', ...base },
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', '*.clientSecret', '*.secret', '*.token', 'authorization'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
