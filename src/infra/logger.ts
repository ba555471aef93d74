import { pino, type Logger } from 'pino';

// Structured JSON logs. Request handlers and activities log through child loggers that carry
// requestId / workflowId so one grep follows a booking from HTTP call to email.
export const logger: Logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info'),
  base: { service: process.env.SERVICE_NAME ?? 'coachflow' },
  timestamp: pino.stdTimeFunctions.isoTime,
  redact: ['req.headers.authorization', '*.password', '*.passwordHash', '*.token'],
});

export type { Logger };

/**
 * A child logger built on first use. Most requests never log, and pino's child() serialises its
 * bindings at once: two children per heartbeat were ~2 % of the API's CPU (docs/adr/0012).
 */
export function lazyChild(parent: Logger, bindings: Record<string, unknown>): Logger {
  let child: Logger | undefined;
  const real = (): Logger => (child ??= parent.child(bindings));
  return new Proxy({} as Logger, {
    get(_target, prop) {
      const target = real();
      const value: unknown = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
