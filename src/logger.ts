import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Structured JSON logs. Anything that could carry a secret is redacted at the source, so a new log line cannot
 * leak a token by accident. That includes the activity task token the Temporal SDK adds to every activity log line:
 * with access to the namespace it completes the activity, so it is a capability, not an identifier (the workflow
 * and activity IDs beside it identify the attempt). `destination` defaults to stdout (tests pass a collector).
 */
export function createLogger(level: string, base: Record<string, unknown> = {}, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'paypal-fulfilment', ...base },
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', '*.clientSecret', '*.secret', '*.token', 'authorization', 'taskToken', '*.taskToken'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
