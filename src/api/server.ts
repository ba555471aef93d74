import { serve } from '@hono/node-server';
import { config } from '../infra/config';
import { closeDeps, createDeps } from '../infra/deps';
import { logger } from '../infra/logger';
import { createApp } from './app';

const cfg = config();
const deps = await createDeps(cfg);
const app = createApp(deps);
const server = serve({ fetch: app.fetch, port: cfg.PORT, hostname: '0.0.0.0' }, (info) =>
  logger.info({ port: info.port }, 'API listening'),
);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'API shutting down');
  server.close();
  await closeDeps(deps);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
