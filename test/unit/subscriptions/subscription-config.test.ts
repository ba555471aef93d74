import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/infra/config';

describe('subscription settings', () => {
  it('defaults: dunning at day 0, 3 and 7; grace 30 days with reminders 7 days and 1 day before', () => {
    const cfg = loadConfig({});
    expect(cfg.SUBSCRIPTION_DUNNING_SCHEDULE).toEqual([0, 3, 7].map((d) => d * 86_400_000));
    expect(cfg.SUBSCRIPTION_GRACE_PERIOD).toBe(30 * 86_400_000);
    expect(cfg.SUBSCRIPTION_GRACE_REMINDERS).toEqual([7, 1].map((d) => d * 86_400_000));
  });

  it('refuses a schedule that does not increase or does not parse, naming the variable', () => {
    expect(() => loadConfig({ SUBSCRIPTION_DUNNING_SCHEDULE: '3d,1d' })).toThrow(
      /SUBSCRIPTION_DUNNING_SCHEDULE: each offset/,
    );
    expect(() => loadConfig({ SUBSCRIPTION_DUNNING_SCHEDULE: '' })).toThrow(/SUBSCRIPTION_DUNNING_SCHEDULE/);
    expect(() => loadConfig({ SUBSCRIPTION_GRACE_REMINDERS: '7d,soon' })).toThrow(
      /SUBSCRIPTION_GRACE_REMINDERS/,
    );
    expect(loadConfig({ SUBSCRIPTION_DUNNING_SCHEDULE: '0s,1s,2s' }).SUBSCRIPTION_DUNNING_SCHEDULE).toEqual([
      0, 1000, 2000,
    ]);
  });
});
