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
