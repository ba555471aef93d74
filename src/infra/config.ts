import { z } from 'zod';
import { parseDuration } from './duration';

// Every setting the processes read, validated once at start. A bad or missing value fails fast with
// the variable named; .env.example documents each one.

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      try {
        return parseDuration(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    });

/** Comma-separated durations ("0d,3d,7d"), each parsed like a single one. */
const durationList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      try {
        return text.split(',').map((part) => parseDuration(part));
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    });

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const DEV_APP_URL = 'http://127.0.0.1:3000';

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:3000'),
  /**
   * Behind a load balancer/reverse proxy: take the client IP (rate limits) from X-Forwarded-For, the
   * TRUST_PROXY_HOPS-th entry from the right (the one the outermost trusted proxy appended).
   */
  TRUST_PROXY: bool(false),
  /** How many proxies in front of the API append to X-Forwarded-For (a CDN and a load balancer: 2). */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(1).max(10).default(1),

  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    // Same address `npm start` gives its embedded Postgres when DATABASE_URL is unset.
    .default('postgresql://postgres:postgres@127.0.0.1:54329/coachflow'),

  TEMPORAL_ADDRESS: z.string().min(3).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('coachflow'),
  TEMPORAL_MEDIA_TASK_QUEUE: z.string().min(1).default('coachflow-media'),
  TEMPORAL_UI_URL: z.url().default('http://127.0.0.1:8233'),

  S3_ENDPOINT: z.url().default('http://127.0.0.1:9000'),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_BUCKET: z.string().min(3).default('coachflow'),
  S3_ACCESS_KEY_ID: z.string().min(1).default('coachflow'),
  S3_SECRET_ACCESS_KEY: z.string().min(1).default('coachflow-secret'),
  S3_FORCE_PATH_STYLE: bool(true),
  S3_PRESIGN_TTL: duration('15m'),

  /** Unset → the local stripe-mock at STRIPE_API_URL. Set (sk_test_…) → Stripe itself. */
  STRIPE_SECRET_KEY: optionalText,
  STRIPE_API_URL: z.url().default('http://127.0.0.1:12111'),
  STRIPE_WEBHOOK_SECRET: z.string().min(1).default('whsec_local_development_secret'),

  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .default('smtp://127.0.0.1:1025'),
  MAIL_FROM: z.string().min(3).default('CoachFlow <no-reply@coachflow.local>'),
  MAIL_VIEWER_URL: z.url().default('http://127.0.0.1:8025'),

  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: optionalText.pipe(z.url().optional()),
  OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),

  FFMPEG_PATH: z.string().min(1).default('ffmpeg'),
  FFPROBE_PATH: z.string().min(1).default('ffprobe'),

  JWT_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .default('local-development-secret-change-me-please'),
  JWT_ISSUER: z.string().min(1).default('coachflow'),
  JWT_AUDIENCE: z.string().min(1).default('coachflow-api'),
  ACCESS_TOKEN_TTL: duration('15m'),
  REFRESH_TOKEN_TTL: duration('30d'),

  BOOKING_HOLD_TIMEOUT: duration('15m'),
  BOOKING_REMINDER_LEAD: duration('24h'),
  /** After a session ends, how long the coach may still mark it a no-show. */
  BOOKING_NO_SHOW_WINDOW: duration('48h'),
  VIDEO_UPLOAD_TIMEOUT: duration('24h'),
  /** A paid session with no heartbeat for this long ends and settles by itself. */
  PAID_SESSION_IDLE_TIMEOUT: duration('5m'),
  /** How long a card authorization lasts (7 days; some networks 5): a paid session settles before it lapses. */
  PAID_SESSION_AUTH_WINDOW: duration('7d'),
  /** An unpaid checkout (purchase-<id>) expires after this and its PaymentIntent is cancelled. */
  PURCHASE_CHECKOUT_TIMEOUT: duration('30m'),
  SUBSCRIPTION_GRACE_PERIOD: duration('30d'),
  /** Platform fee on coach sales, in basis points (1000 = 10 %); workflows get it in their input. */
  PLATFORM_FEE_BPS: z.coerce.number().int().min(0).max(10_000).default(1000),
  /** How long a coach's earnings stay pending (refunds and disputes) before they can be paid out. */
  EARNINGS_HOLD_PERIOD: duration('7d'),
  /** Dunning after a failed renewal: when each email goes out; still unpaid at the last one → free. */
  SUBSCRIPTION_DUNNING_SCHEDULE: durationList('0d,3d,7d').refine(
    (offsets) => offsets.every((v, i) => i === 0 || v > offsets[i - 1]!),
    'each offset must be later than the one before',
  ),
  /** Reminders before the grace period ends and stored videos are deleted, as leads before its end. */
  SUBSCRIPTION_GRACE_REMINDERS: durationList('7d,1d'),
  /** How often each coach with a payout-ready Connect account is paid out (their Temporal Schedule). */
  PAYOUT_SCHEDULE: duration('7d'),
  /** The web app coaches use; Connect onboarding sends them back to it (…/coach/payouts). */
  PUBLIC_APP_URL: z.url().default(DEV_APP_URL),
});

export type Config = z.infer<typeof schema>;

/**
 * Development defaults are public (they are in this repository), so production refuses every one of
 * them: with the default webhook secret anyone could sign a "payment succeeded" event, with the default
 * JWT secret anyone could mint a token. A live Stripe key with the development webhook secret is refused
 * in any environment, since it would let forged events move real money.
 */
const DEV_DEFAULTS = {
  JWT_SECRET: 'local-development-secret-change-me-please',
  STRIPE_WEBHOOK_SECRET: 'whsec_local_development_secret',
  S3_ACCESS_KEY_ID: 'coachflow',
  S3_SECRET_ACCESS_KEY: 'coachflow-secret',
  DATABASE_URL: 'postgresql://postgres:postgres@127.0.0.1:54329/coachflow',
  SMTP_URL: 'smtp://127.0.0.1:1025',
  PUBLIC_APP_URL: DEV_APP_URL,
} as const satisfies Partial<Record<keyof z.infer<typeof schema>, string>>;

function unsafeSettings(cfg: z.infer<typeof schema>): string[] {
  const problems: string[] = [];
  if (cfg.NODE_ENV === 'production') {
    for (const [key, value] of Object.entries(DEV_DEFAULTS)) {
      if (cfg[key as keyof typeof DEV_DEFAULTS] === value) {
        problems.push(`${key}: must be set in production (the development default is public)`);
      }
    }
    if (!cfg.STRIPE_SECRET_KEY) {
      problems.push('STRIPE_SECRET_KEY: must be set in production (unset means the local stripe-mock)');
    }
  }
  if (
    cfg.STRIPE_SECRET_KEY?.startsWith('sk_live_') &&
    cfg.STRIPE_WEBHOOK_SECRET === DEV_DEFAULTS.STRIPE_WEBHOOK_SECRET
  ) {
    problems.push('STRIPE_WEBHOOK_SECRET: a live Stripe key needs the webhook secret of its own endpoint');
  }
  return problems;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const problems = unsafeSettings(parsed.data);
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  return Object.freeze(parsed.data);
}

let cached: Config | undefined;

/** The process-wide configuration; exits the process with the offending variables named when invalid. */
export function config(): Config {
  if (!cached) {
    try {
      cached = loadConfig();
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`${err.message}\n`);
        process.exit(78); // EX_CONFIG
      }
      throw err;
    }
  }
  return cached;
}
