import { join } from 'node:path';
import { loadConfig } from '../infra/config';
import { configureFfmpeg } from '../infra/ffmpeg';
import { migrate } from '../infra/migrations';
import { createS3, ensureBucket } from '../infra/s3';
import { ensureDatabase, startEmbeddedPostgres } from './postgres';
import {
  REPO_ROOT,
  startMailpit,
  startMinio,
  startStripeMock,
  startTemporal,
  type Log,
  type Started,
  portOpen,
} from './services';

/** The embedded Postgres `npm start` and the tests run when DATABASE_URL is unset (port: EMBEDDED_PG_PORT). */
const DEFAULT_EMBEDDED_PG_PORT = 54329;

export interface StackOptions {
  /** Where service data lives (SQLite for Temporal, MinIO objects, mail, embedded Postgres). */
  dataDir: string;
  log: Log;
  /** Database name to create and migrate on the Postgres server (default: the one in DATABASE_URL). */
  databaseName?: string;
  /** Overrides applied on top of process.env before anything is decided. */
  env?: Record<string, string>;
}

export interface Stack {
  /** Variables the API, workers and tests must use to reach the services. */
  env: Record<string, string>;
  started: Started[];
  stop(): Promise<void>;
}

/** Starts (or reuses) every real service and prepares the database and bucket. */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const env: Record<string, string> = { ...(opts.env ?? {}) };
  const base = { ...process.env, ...env };
  const cfg = loadConfig(base);
  const logDir = join(opts.dataDir, 'logs');
  const started: Started[] = [];
  const stop = async () => {
    for (const s of started.reverse()) await s.stop().catch((e) => opts.log(`stopping ${s.name}: ${e}`));
  };

  try {
    configureFfmpeg(cfg);

    const pending: Promise<Started | undefined>[] = [
      startTemporal({
        address: cfg.TEMPORAL_ADDRESS,
        uiPort: Number(new URL(cfg.TEMPORAL_UI_URL).port || 8233),
        dataDir: join(opts.dataDir, 'temporal'),
        logDir,
        log: opts.log,
      }),
      startMinio({
        endpoint: cfg.S3_ENDPOINT,
        accessKey: cfg.S3_ACCESS_KEY_ID,
        secretKey: cfg.S3_SECRET_ACCESS_KEY,
        dataDir: join(opts.dataDir, 'minio'),
        logDir,
        log: opts.log,
      }),
      startMailpit({
        smtpUrl: cfg.SMTP_URL,
        viewerUrl: cfg.MAIL_VIEWER_URL,
        dataDir: join(opts.dataDir, 'mailpit'),
        logDir,
        log: opts.log,
      }),
    ];
    if (!cfg.STRIPE_SECRET_KEY)
      pending.push(startStripeMock({ apiUrl: cfg.STRIPE_API_URL, logDir, log: opts.log }));
    else opts.log('stripe: using Stripe itself (STRIPE_SECRET_KEY is set)');

    // Postgres: DATABASE_URL when set, otherwise a private embedded server.
    let databaseUrl = base.DATABASE_URL;
    if (!databaseUrl) {
      const port = Number(base.EMBEDDED_PG_PORT || DEFAULT_EMBEDDED_PG_PORT);
      databaseUrl = `postgresql://postgres:postgres@127.0.0.1:${port}/coachflow`;
      if (await portOpen('127.0.0.1', port)) {
        opts.log(`postgres: reusing the server already listening on 127.0.0.1:${port}`);
      } else {
        const dataDir = join(opts.dataDir, 'postgres');
        pending.push(startEmbeddedPostgres({ dataDir, port, logDir, log: opts.log }));
      }
    }

    const results = await Promise.allSettled(pending);
    for (const r of results) if (r.status === 'fulfilled' && r.value) started.push(r.value);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;

    if (opts.databaseName) {
      const url = new URL(databaseUrl);
      url.pathname = `/${opts.databaseName}`;
      databaseUrl = url.toString();
    }
    env.DATABASE_URL = databaseUrl;

    await ensureDatabase(databaseUrl);
    await migrate(databaseUrl, opts.log);
    const s3 = createS3(cfg);
    await ensureBucket(s3, cfg.S3_BUCKET);
    s3.destroy();
    return { env, started, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export const DEFAULT_DATA_DIR = join(REPO_ROOT, '.data');
