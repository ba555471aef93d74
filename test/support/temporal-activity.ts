import type { Info } from '@temporalio/activity';
import type { LogLevel, LogMetadata } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';

// Activities run outside a worker: MockActivityEnvironment supplies the activity context (attempt,
// heartbeat details, cancellation). What they log is kept for assertions instead of printed.

export interface LogEntry {
  level: LogLevel;
  message: string;
  meta?: LogMetadata;
}

export function mockActivityEnv(info: Partial<Info> = {}) {
  const logs: LogEntry[] = [];
  const keep = (level: LogLevel) => (message: string, meta?: LogMetadata) => {
    logs.push({ level, message, meta });
  };
  const logger = {
    log: (level: LogLevel, message: string, meta?: LogMetadata) => keep(level)(message, meta),
    trace: keep('TRACE'),
    debug: keep('DEBUG'),
    info: keep('INFO'),
    warn: keep('WARN'),
    error: keep('ERROR'),
  };
  const env = new MockActivityEnvironment(info, { logger });
  const heartbeats: unknown[] = [];
  env.on('heartbeat', (details: unknown) => heartbeats.push(details));
  return { env, logs, heartbeats };
}
