import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/infra/config';
import { parseDuration } from '../../../src/infra/duration';

describe('configuration', () => {
  it('has working local defaults', () => {
    const cfg = loadConfig({});
    expect(cfg.PORT).toBe(3000);
    expect(cfg.TEMPORAL_ADDRESS).toBe('127.0.0.1:7233');
    expect(cfg.BOOKING_REMINDER_LEAD).toBe(24 * 3_600_000);
    expect(cfg.STRIPE_SECRET_KEY).toBeUndefined();
    expect(cfg.OPENAI_API_KEY).toBeUndefined();
  });

  it('names every bad variable and why', () => {
    expect(() =>
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', BOOKING_HOLD_TIMEOUT: 'soon' }),
    ).toThrowError(
      /PORT: .*\n.*DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL\n.*BOOKING_HOLD_TIMEOUT: "soon" is not a duration/s,
    );
  });

  it('refuses the development JWT secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrowError(
      /JWT_SECRET: must be set in production/,
    );
  });

  it('issue 9 #4: refuses every public development default in production, naming each', () => {
    let message = '';
    try {
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const key of [
      'STRIPE_WEBHOOK_SECRET',
      'S3_ACCESS_KEY_ID',
      'S3_SECRET_ACCESS_KEY',
      'DATABASE_URL',
      'SMTP_URL',
      'STRIPE_SECRET_KEY',
      // A loopback app URL in production would send coaches back from Stripe onboarding to localhost.
      'PUBLIC_APP_URL',
    ]) {
      expect(message).toMatch(new RegExp(`\\n  ${key}: must be set in production`));
    }
    expect(message).not.toMatch(/JWT_SECRET/);
  });

  it('issue 9 #4: accepts production when every secret is its own', () => {
    const cfg = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 'j'.repeat(40),
      STRIPE_WEBHOOK_SECRET: 'whsec_real',
      STRIPE_SECRET_KEY: 'sk_live_abc',
      S3_ACCESS_KEY_ID: 'AKIA123',
      S3_SECRET_ACCESS_KEY: 's3cr3t',
      DATABASE_URL: 'postgresql://app:pw@db:5432/coachflow',
      SMTP_URL: 'smtps://u:p@smtp.example.com:465',
      PUBLIC_APP_URL: 'https://app.coachflow.example',
    });
    expect(cfg.NODE_ENV).toBe('production');
  });

  it('issue 9 #4: refuses a live Stripe key with the development webhook secret in any environment', () => {
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'sk_live_abc' })).toThrowError(
      /STRIPE_WEBHOOK_SECRET: a live Stripe key needs the webhook secret of its own endpoint/,
    );
    expect(loadConfig({ STRIPE_SECRET_KEY: 'sk_test_abc' }).STRIPE_SECRET_KEY).toBe('sk_test_abc');
  });

  it('treats empty optional keys as unset', () => {
    expect(loadConfig({ STRIPE_SECRET_KEY: '', OPENAI_API_KEY: ' ' }).STRIPE_SECRET_KEY).toBeUndefined();
  });

  it('makes a process exit non-zero with the variable named', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, '../../../src/api/server.ts')],
      {
        env: { ...process.env, PORT: 'not-a-port', SMTP_URL: 'http://wrong' },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(result.status).toBe(78);
    expect(result.stderr).toContain('PORT:');
    expect(result.stderr).toContain('SMTP_URL: must be an smtp:// or smtps:// URL');
    // Loading the API under tsx takes seconds on a busy machine; the spawn has its own 30 s cap.
  }, 35_000);
});

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5_000],
    ['15m', 900_000],
    ['24h', 86_400_000],
    ['30d', 2_592_000_000],
    ['1.5h', 5_400_000],
    ['250', 250],
  ])('%s = %i ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'soon', '5 weeks', '-1s', '1e3s'])('rejects %j', (text) =>
    expect(() => parseDuration(text)).toThrow(/not a duration/),
  );
});
