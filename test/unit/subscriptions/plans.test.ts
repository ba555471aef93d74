// Over 400 lines on purpose: one table-driven check per plan and feature of the seed's tier matrix.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { format } from '../../../src/domain/shared/money';
import {
  BYTES_PER_GB,
  FEATURE_FLAGS,
  LIMIT_NAMES,
  ORG_SEAT_TIERS,
  ORG_SEAT_TIER_NAMES,
  PLAN_DEFINITIONS,
  ROLES,
  effectiveFeatures,
  effectiveLimits,
  featureDeniedMessage,
  hasFeature,
  isFeatureFlag,
  isLimitName,
  isPaidTier,
  isPlusTier,
  isRole,
  limitFor,
  monthlyPrice,
  planChangeDirection,
  planFor,
  rolesWithFeature,
  tierRank,
  usageAllows,
  type FeatureFlag,
  type Limit,
  type LimitName,
  type Role,
  type SupportLevel,
} from '../../../src/domain/subscriptions/plans';

const PLUS_TIERS = ['player_pro_plus', 'scorers_pro_plus', 'coach_pro_plus', 'analyst_pro_plus'] as const;
const VIDEO_FLAGS = [
  'video_upload_enabled',
  'video_playback',
  'video_analysis_enabled',
  'clip_creation_enabled',
  'clip_library',
] as const satisfies readonly FeatureFlag[];

/** `a` has every feature `b` has (optionally ignoring some) and limits at least as generous. */
function expectSuperset(a: Role, b: Role, ignore: readonly FeatureFlag[] = []): void {
  for (const flag of FEATURE_FLAGS) {
    if (hasFeature(b, flag) && !ignore.includes(flag))
      expect(hasFeature(a, flag), `${a} ⊇ ${b}: ${flag}`).toBe(true);
  }
  for (const name of LIMIT_NAMES) {
    expect(atLeast(limitFor(a, name), limitFor(b, name)), `${a} ⊇ ${b}: ${name}`).toBe(true);
  }
}
const atLeast = (a: Limit, b: Limit) => a === null || (b !== null && a >= b);

// ---------------------------------------------------------------------------------------------------
// Seed 001 section C, "CURRENT TIER ENTITLEMENT MATRIX", transcribed cell by cell.
// ---------------------------------------------------------------------------------------------------

type Cell = '✓' | '✗' | '∞' | number;
type Check = readonly FeatureFlag[] | LimitName;
const C_COLUMNS = ['free', 'player_pro', 'coach_pro', 'analyst_pro', 'org_pro', 'plus'] as const;
type CColumn = (typeof C_COLUMNS)[number];
type Row = readonly [feature: string, check: Check, cells: readonly [Cell, Cell, Cell, Cell, Cell, Cell]];

//                 Feature                    checked as                                Free   PlayerPro CoachPro AnalystPro OrgPro  Plus
// prettier-ignore
const MATRIX_C: readonly Row[] = [
  ['Live Scoring',          ['live_scoring'],                          ['✓',    '✓',     '✓',     '✓',     '✓',    '✓']],
  ['Fan Mode',              ['fan_mode'],                              ['✓',    '✗',     '✗',     '✗',     '✗',    '✗']],
  ['Player Profile',        ['player_profile_view'],                   ['✓',    '✓',     '✓',     '✓',     '✓',    '✓']],
  ['Career Summary',        ['career_summary'],                        ['✗',    '✓',     '✓',     '✓',     '✓',    '✓']],
  ['Player Assignment',     ['player_assignment'],                     ['✗',    '✗',     '✓',     '✓',     '✓',    '✓']],
  ['Session Notebook',      ['session_notebook'],                      ['✗',    '✗',     '✓',     '✓',     '✓',    '✓']],
  ['Multi-Player Compare',  ['multi_player_compare'],                  ['✗',    '✗',     '✓',     '✓',     '✓',    '✓']],
  ['Heatmap Visualizer',    ['heatmaps'],                              ['✗',    '✗',     '✗',     '✓',     '✓',    '✓']],
  ['Ball Clustering',       ['ball_clustering'],                       ['✗',    '✗',     '✗',     '✓',     '✓',    '✓']],
  ['Phase Analysis',        ['phase_analysis'],                        ['✗',    '✗',     '✗',     '✓',     '✓',    '✓']],
  ['CSV/JSON Export',       ['data_export'],                           ['✗',    '✗',     '✗',     '✓',     '✓',    '✓']],
  ['Case Study Tags',       ['case_study_tags'],                       ['✗',    '✗',     '✗',     '✓',     '✓',    '✓']],
  ['Analyst Workspace',     ['analyst_workspace'],                     ['✗',    '✗',     '✗',     '✓',     '✓',    '✓']],
  ['Tournament Mgmt',       'max_tournaments',                         ['✗',    10,      50,      '∞',     '✓',    '✓']],
  ['AI Session Summary',    ['ai_session_summary'],                    ['✗',    '✗',     '✓',     '✓',     '✓',    '✓']],
  ['Video Lessons',         ['video_upload_enabled', 'video_playback'], ['✗',   '✗',     '✗',     '✗',     '✗',    '✓']],
  ['Clip Library',          ['clip_library', 'clip_creation_enabled'], ['✗',    '✗',     '✗',     '✗',     '✗',    '✓']],
  ['Priority Support',      ['priority_support'],                      ['✗',    '✗',     '✓',     '✓',     '✓',    '✓']],
  ['Max Games',             'max_games',                               [10,     '∞',     '∞',     '∞',     '∞',    '∞']],
  ['AI Tokens/Month',       'ai_tokens_per_month',                     [10_000, 100_000, 100_000, 100_000, '∞',    100_000]],
  ['AI Reports/Month',      'ai_reports_per_month',                    [5,      50,      100,     200,     '∞',    150]],
];

/** Cells where another seed source wins over matrix C, with the reason. */
const C_OVERRIDES: Record<string, { resolved: Cell; why: string }> = {
  'Tournament Mgmt|free': { resolved: 1, why: 'seed B: Free is "Max 10 games, 1 tournament"' },
  'Video Lessons|org_pro': { resolved: '✓', why: 'seed 000 gate + section E + matrix G give org_pro video' },
  'Clip Library|org_pro': { resolved: '✓', why: 'seed 000 gate + section E + matrix G give org_pro video' },
};

function limitCellHolds(value: Limit, cell: Cell): boolean {
  if (cell === '∞') return value === null;
  if (cell === '✓') return value === null || value > 0;
  if (cell === '✗') return value === 0;
  return value === cell;
}

/**
 * Matrix C's "Plus Tier" column describes the Plus family as a whole (it lists both video, a Coach
 * Pro Plus feature, and heatmaps, an Analyst Pro Plus one). So a ✓ means some Plus tier has it and ✗
 * means none does; its numbers (150 AI reports) are Coach Pro Plus's, per seed D.
 */
function cellHolds(column: CColumn, check: Check, cell: Cell): boolean {
  if (typeof check === 'string') {
    return limitCellHolds(limitFor(column === 'plus' ? 'coach_pro_plus' : column, check), cell);
  }
  const has = (role: Role) => check.every((flag) => hasFeature(role, flag));
  const hasAny = (role: Role) => check.some((flag) => hasFeature(role, flag));
  if (column === 'plus') return cell === '✓' ? PLUS_TIERS.some(has) : !PLUS_TIERS.some(hasAny);
  return cell === '✓' ? has(column) : !hasAny(column);
}

describe('seed matrix C, every cell', () => {
  const cells = MATRIX_C.flatMap(([feature, check, row]) =>
    C_COLUMNS.map((column, i) => {
      const seed = row[i]!;
      const override = C_OVERRIDES[`${feature}|${column}`];
      return { feature, column, check, seed, expected: override ? override.resolved : seed };
    }),
  );

  it('has the full 21 × 6 grid', () => {
    expect(cells).toHaveLength(21 * 6);
  });

  it.each(cells)('$feature × $column = $expected', ({ column, check, expected }) => {
    expect(cellHolds(column, check, expected)).toBe(true);
  });

  it.each(Object.entries(C_OVERRIDES))('override %s is needed (%o)', (key) => {
    const [feature, column] = key.split('|') as [string, CColumn];
    const row = MATRIX_C.find(([f]) => f === feature)!;
    const seed = row[2][C_COLUMNS.indexOf(column)]!;
    expect(cellHolds(column, row[1], seed)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------
// Seed 001 section D, the four Plus tier tables: base tier vs Plus tier.
// ---------------------------------------------------------------------------------------------------

type PlusRow = readonly [feature: string, check: Check, base: Cell, plus: Cell];
const PLUS_TABLES: Record<(typeof PLUS_TIERS)[number], { base: Role; rows: readonly PlusRow[] }> = {
  player_pro_plus: {
    base: 'player_pro',
    rows: [
      ['AI Career Summary', ['career_summary'], '✓', '✓'],
      ['AI Weekly Feedback', ['ai_weekly_feedback'], '✗', '✓'],
      ['Peer Comparison', ['peer_comparison'], '✗', '✓'],
      ['Goal Tracking', ['goal_tracking'], '✗', '✓'],
      ['Dismissal Breakdown', ['dismissal_breakdown'], '✗', '✓'],
      // Seed D says "50 → 100"; matrix C says 100K for Player Pro and Plus. C wins (see plans.ts).
      ['AI Tokens/Month', 'ai_tokens_per_month', 100_000, 100_000],
    ],
  },
  scorers_pro_plus: {
    base: 'scorers_pro',
    rows: [
      ['Offline Scoring', ['offline_scoring'], '✓', '✓'],
      ['Error Correction', 'error_correction_depth', 3, 5],
      ['Multi-Match View', 'max_concurrent_games', 3, 5],
      ['Pro Overlays', ['pro_scoreboard_overlays'], '✓', '✓'],
      ['Broadcast Integration', ['broadcast_integration'], '✗', '✓'],
      ['Multi-Venue Aggregation', ['multi_venue_aggregation'], '✗', '✓'],
      ['Advanced Cloud Sync', ['advanced_cloud_sync'], '✗', '✓'],
      ['Custom Branding', ['custom_branding'], '✗', '✓'],
    ],
  },
  coach_pro_plus: {
    base: 'coach_pro',
    rows: [
      ['Session Notebook', ['session_notebook'], '✓', '✓'],
      ['Video Upload', ['video_upload_enabled'], '✗', '✓'],
      ['Video Playback + Timeline', ['video_playback'], '✗', '✓'],
      ['AI Video Analysis', ['video_analysis_enabled'], '✗', '✓'],
      ['Clip Creation Tool', ['clip_creation_enabled'], '✗', '✓'],
      ['Clip Library', ['clip_library'], '✗', '✓'],
      ['AI Reports/Month', 'ai_reports_per_month', 100, 150],
      ['Storage Quota', 'storage_quota_bytes', 0, 500 * BYTES_PER_GB],
    ],
  },
  analyst_pro_plus: {
    base: 'analyst_pro',
    rows: [
      ['Heatmaps', ['heatmaps'], '✓', '✓'],
      ['Ball Clustering', ['ball_clustering'], '✓', '✓'],
      ['Phase Analysis', ['phase_analysis'], '✓', '✓'],
      ['CSV/JSON Export', ['data_export'], '✓', '✓'],
      ['Automated Reports', ['automated_reports'], '✗', '✓'],
      ['SHAP Explainability', ['shap_explainability'], '✗', '✓'],
      ['Team Comparison', ['team_comparison'], '✗', '✓'],
      ['Advanced Filters', ['advanced_filters'], '✗', '✓'],
      ['Bulk Operations', ['bulk_operations'], '✗', '✓'],
      ['AI Tokens/Month', 'ai_tokens_per_month', 100_000, 200_000],
    ],
  },
};

function roleCellHolds(role: Role, check: Check, cell: Cell): boolean {
  if (typeof check === 'string') return limitCellHolds(limitFor(role, check), cell);
  return check.every((flag) => hasFeature(role, flag) === (cell === '✓'));
}

describe('seed section D, Plus tier tables', () => {
  const rows = Object.entries(PLUS_TABLES).flatMap(([plus, { base, rows }]) =>
    rows.map(([feature, check, baseCell, plusCell]) => ({
      plus: plus as Role,
      base,
      feature,
      check,
      baseCell,
      plusCell,
    })),
  );

  it.each(rows)(
    '$plus: $feature ($base $baseCell -> $plusCell)',
    ({ plus, base, check, baseCell, plusCell }) => {
      expect(roleCellHolds(base, check, baseCell)).toBe(true);
      expect(roleCellHolds(plus, check, plusCell)).toBe(true);
    },
  );

  it.each(PLUS_TIERS)('%s declares its base tier and inherits all of it', (plus) => {
    const base = PLUS_TABLES[plus].base;
    expect(planFor(plus).basePlan).toBe(base);
    expectSuperset(plus, base);
    expect(isPlusTier(plus)).toBe(true);
    expect(isPlusTier(base)).toBe(false);
  });

  it.each(PLUS_TIERS)('%s adds at least one feature over its base', (plus) => {
    const base = PLUS_TABLES[plus].base;
    expect(FEATURE_FLAGS.some((f) => hasFeature(plus, f) && !hasFeature(base, f))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('inheritance ladder (seed B)', () => {
  it('player_pro ⊇ free, except the free-only fan mode (matrix C)', () => {
    expectSuperset('player_pro', 'free', ['fan_mode']);
    expect(hasFeature('free', 'fan_mode')).toBe(true);
    expect(rolesWithFeature('fan_mode')).toEqual(['free', 'superuser']);
  });

  it('coach_pro ⊇ player_pro, analyst_pro ⊇ coach_pro', () => {
    expectSuperset('coach_pro', 'player_pro');
    expectSuperset('analyst_pro', 'coach_pro');
  });

  it('org_pro has everything coach and analyst tiers have (incl. Plus), plus org features', () => {
    for (const role of ['coach_pro', 'coach_pro_plus', 'analyst_pro', 'analyst_pro_plus'] as const) {
      expectSuperset('org_pro', role);
    }
    for (const flag of ['org_dashboard', 'league_management', 'sponsor_panel', 'custom_branding'] as const) {
      expect(rolesWithFeature(flag)).toContain('org_pro');
      expect(hasFeature('analyst_pro_plus', flag)).toBe(false);
    }
  });

  it('scorers tiers extend free with the scoring tools', () => {
    expectSuperset('scorers_pro', 'free', ['fan_mode']);
    expect(hasFeature('scorers_pro', 'offline_scoring')).toBe(true);
    expect(hasFeature('coach_pro', 'offline_scoring')).toBe(false);
  });

  it('every plan with a basePlan is a superset of it (fan mode aside) and ranks above it', () => {
    for (const role of ROLES) {
      const base = planFor(role).basePlan;
      if (base === null) continue;
      expectSuperset(role, base, ['fan_mode']);
      expect(tierRank(role)).toBeGreaterThan(tierRank(base));
    }
  });

  it('superuser has every flag and no limits', () => {
    expect(Object.values(effectiveFeatures('superuser')).every(Boolean)).toBe(true);
    for (const name of LIMIT_NAMES) expect(limitFor('superuser', name)).toBeNull();
    for (const role of ROLES) expectSuperset('superuser', role);
  });

  it('resolves every role to a complete, frozen record', () => {
    for (const role of ROLES) {
      const plan = planFor(role);
      expect(plan.role).toBe(role);
      expect(Object.keys(plan.features).sort()).toEqual([...FEATURE_FLAGS].sort());
      expect(Object.keys(plan.limits).sort()).toEqual([...LIMIT_NAMES].sort());
      for (const value of Object.values(plan.limits)) {
        expect(value === null || (Number.isSafeInteger(value) && value >= 0)).toBe(true);
      }
      expect(Object.isFrozen(plan)).toBe(true);
      expect(Object.isFrozen(plan.features)).toBe(true);
      expect(Object.isFrozen(plan.limits)).toBe(true);
      expect(effectiveFeatures(role)).toBe(plan.features);
    }
  });
});

describe('feature gates', () => {
  it.each(VIDEO_FLAGS)('%s is only on coach_pro_plus, org_pro and superuser', (flag) => {
    expect(rolesWithFeature(flag)).toEqual(['coach_pro_plus', 'org_pro', 'superuser']);
  });

  it.each(['bookings_enabled', 'paid_sessions_enabled'] as const)('%s is on coach_pro and above', (flag) => {
    expect(rolesWithFeature(flag).sort()).toEqual(
      ['coach_pro', 'coach_pro_plus', 'analyst_pro', 'analyst_pro_plus', 'org_pro', 'superuser'].sort(),
    );
  });

  it('custom branding is on scorers_pro_plus and org_pro (seed B and D)', () => {
    expect(rolesWithFeature('custom_branding')).toEqual(['scorers_pro_plus', 'org_pro', 'superuser']);
  });

  it('denial message matches the API 403 detail exactly', () => {
    expect(featureDeniedMessage('video_upload_enabled')).toBe(
      'Insufficient feature access: video_upload_enabled',
    );
    for (const flag of FEATURE_FLAGS)
      expect(featureDeniedMessage(flag)).toBe(`Insufficient feature access: ${flag}`);
  });

  it('free gets the 403 for video upload, coach_pro_plus does not', () => {
    expect(hasFeature('free', 'video_upload_enabled')).toBe(false);
    expect(hasFeature('coach_pro', 'video_upload_enabled')).toBe(false);
    expect(hasFeature('coach_pro_plus', 'video_upload_enabled')).toBe(true);
  });

  it('flag and limit names are unique snake_case', () => {
    for (const list of [FEATURE_FLAGS, LIMIT_NAMES, ROLES]) {
      expect(new Set(list).size).toBe(list.length);
      for (const name of list) expect(name).toMatch(/^[a-z]+(_[a-z]+)*$/);
    }
  });
});

describe('support levels (seed C, D, G)', () => {
  const expected: Record<Role, SupportLevel> = {
    free: 'none',
    player_pro: 'none',
    player_pro_plus: 'none',
    scorers_pro: 'basic',
    scorers_pro_plus: 'premium',
    coach_pro: 'basic',
    coach_pro_plus: 'premium',
    analyst_pro: 'basic',
    analyst_pro_plus: 'premium',
    org_pro: 'premium',
    superuser: 'premium',
  };
  it.each(ROLES)('%s', (role) => {
    expect(planFor(role).support).toBe(expected[role]);
    expect(hasFeature(role, 'priority_support')).toBe(expected[role] !== 'none');
  });
});

describe('limits', () => {
  it('storage quotas: coach_pro_plus 500 GB, org_pro 5000 GB, superuser unlimited, others 0', () => {
    for (const role of ROLES) {
      const quota = limitFor(role, 'storage_quota_bytes');
      if (role === 'coach_pro_plus') expect(quota).toBe(500_000_000_000);
      else if (role === 'org_pro') expect(quota).toBe(5_000_000_000_000);
      else if (role === 'superuser') expect(quota).toBeNull();
      else expect(quota).toBe(0);
    }
  });

  it('matrix values for tiers outside matrix C', () => {
    expect(limitFor('player_pro_plus', 'ai_reports_per_month')).toBe(50);
    expect(limitFor('player_pro_plus', 'max_tournaments')).toBe(10);
    expect(limitFor('analyst_pro_plus', 'ai_reports_per_month')).toBe(200);
    expect(limitFor('analyst_pro_plus', 'max_tournaments')).toBeNull();
    expect(limitFor('coach_pro_plus', 'max_tournaments')).toBe(50);
    expect(limitFor('scorers_pro', 'max_games')).toBeNull();
    expect(limitFor('free', 'max_concurrent_games')).toBe(1);
    expect(limitFor('free', 'error_correction_depth')).toBe(0);
  });

  it('org seat tiers match seed B', () => {
    expect(ORG_SEAT_TIER_NAMES).toEqual(['starter', 'growth', 'elite']);
    expect(ORG_SEAT_TIERS).toEqual({
      starter: { name: 'Org Pro Starter', priceMonthlyMinor: 3900, teams: 4, coachSeats: 4, analystSeats: 1 },
      growth: { name: 'Org Pro Growth', priceMonthlyMinor: 7900, teams: 10, coachSeats: 8, analystSeats: 3 },
      elite: { name: 'Org Pro Elite', priceMonthlyMinor: 14900, teams: 20, coachSeats: 15, analystSeats: 5 },
    });
  });

  it.each(ORG_SEAT_TIER_NAMES)('org_pro %s seats come from the seat tier', (tier) => {
    const seats = ORG_SEAT_TIERS[tier];
    expect(limitFor('org_pro', 'org_teams', tier)).toBe(seats.teams);
    expect(limitFor('org_pro', 'org_coach_seats', tier)).toBe(seats.coachSeats);
    expect(limitFor('org_pro', 'org_analyst_seats', tier)).toBe(seats.analystSeats);
    expect(effectiveLimits('org_pro', tier).ai_reports_per_month).toBeNull();
  });

  it('org_pro without a seat tier gets starter; other roles have no org seats', () => {
    expect(effectiveLimits('org_pro')).toEqual(effectiveLimits('org_pro', 'starter'));
    expect(planFor('org_pro').limits).toEqual(effectiveLimits('org_pro', 'starter'));
    for (const role of ROLES.filter((r) => r !== 'org_pro' && r !== 'superuser')) {
      expect(limitFor(role, 'org_teams', 'elite')).toBe(0);
      expect(limitFor(role, 'org_coach_seats')).toBe(0);
      expect(limitFor(role, 'org_analyst_seats')).toBe(0);
    }
  });
});

describe('prices', () => {
  const expectedMinor: Record<Role, number> = {
    free: 0,
    player_pro: 199,
    player_pro_plus: 499,
    scorers_pro: 999,
    scorers_pro_plus: 1499,
    coach_pro: 999,
    coach_pro_plus: 1999, // seed D overview; section E code's 24.99 is the stale draft
    analyst_pro: 2999,
    analyst_pro_plus: 2499, // as seed D states, though cheaper than analyst_pro
    org_pro: 3900,
    superuser: 0,
  };
  it.each(ROLES)('%s monthly price', (role) => {
    expect(planFor(role).priceMonthlyMinor).toBe(expectedMinor[role]);
    expect(monthlyPrice(role)).toEqual({ amountMinor: expectedMinor[role], currency: 'USD' });
  });

  it('formats for emails and prices org_pro by seat tier', () => {
    expect(format(monthlyPrice('coach_pro_plus'))).toBe('$19.99');
    expect(format(monthlyPrice('player_pro'))).toBe('$1.99');
    expect(format(monthlyPrice('org_pro', 'growth'))).toBe('$79.00');
    expect(format(monthlyPrice('org_pro', 'elite'))).toBe('$149.00');
    expect(monthlyPrice('coach_pro', 'elite')).toEqual(monthlyPrice('coach_pro')); // seat tier ignored
  });

  it('isPaidTier: everything but free and superuser', () => {
    expect(ROLES.filter(isPaidTier)).toEqual(ROLES.filter((r) => r !== 'free' && r !== 'superuser'));
  });

  it('plan table names are distinct and human-readable', () => {
    const names = ROLES.map((r) => PLAN_DEFINITIONS[r].name);
    expect(new Set(names).size).toBe(names.length);
    expect(planFor('coach_pro_plus').name).toBe('Coach Pro Plus');
  });
});

describe('tier rank and plan change direction', () => {
  it('orders the ladder', () => {
    const ladder: Role[] = ['free', 'player_pro', 'coach_pro', 'analyst_pro', 'org_pro', 'superuser'];
    for (let i = 1; i < ladder.length; i++)
      expect(tierRank(ladder[i]!)).toBeGreaterThan(tierRank(ladder[i - 1]!));
  });

  it('classifies plan changes', () => {
    expect(planChangeDirection('free', 'coach_pro')).toBe('upgrade');
    expect(planChangeDirection('coach_pro_plus', 'coach_pro')).toBe('downgrade');
    expect(planChangeDirection('analyst_pro', 'analyst_pro_plus')).toBe('upgrade'); // though cheaper
    expect(planChangeDirection('scorers_pro', 'coach_pro')).toBe('lateral');
    expect(planChangeDirection('coach_pro_plus', 'scorers_pro_plus')).toBe('lateral');
    expect(planChangeDirection('org_pro', 'org_pro')).toBe('none');
  });

  it('property: direction is antisymmetric', () => {
    const role = fc.constantFrom(...ROLES);
    fc.assert(
      fc.property(role, role, (a, b) => {
        const forward = planChangeDirection(a, b);
        const back = planChangeDirection(b, a);
        const mirror = {
          upgrade: 'downgrade',
          downgrade: 'upgrade',
          lateral: 'lateral',
          none: 'none',
        } as const;
        expect(back).toBe(mirror[forward]);
      }),
    );
  });
});

describe('usageAllows', () => {
  it.each([
    [null, 1_000_000, 1_000_000, true],
    [10, 0, 10, true],
    [10, 9, 1, true],
    [10, 10, 1, false],
    [10, 5, 6, false],
    [0, 0, 1, false],
    [0, 0, 0, true],
    [5, 7, 0, false], // already over (e.g. after a downgrade)
  ] as const)('limit %s, used %s, requested %s -> %s', (limit, used, requested, allowed) => {
    expect(usageAllows(limit, used, requested)).toBe(allowed);
  });

  it('works with real limits', () => {
    expect(usageAllows(limitFor('free', 'ai_reports_per_month'), 4, 1)).toBe(true);
    expect(usageAllows(limitFor('free', 'ai_reports_per_month'), 5, 1)).toBe(false);
    expect(usageAllows(limitFor('org_pro', 'ai_reports_per_month'), 10_000, 1)).toBe(true);
    const quota = limitFor('coach_pro_plus', 'storage_quota_bytes');
    expect(usageAllows(quota, 499 * BYTES_PER_GB, 2 * BYTES_PER_GB)).toBe(false);
    expect(usageAllows(quota, 498 * BYTES_PER_GB, 2 * BYTES_PER_GB)).toBe(true);
  });

  it('rejects negative or non-finite counts and limits', () => {
    expect(() => usageAllows(10, -1, 1)).toThrow(RangeError);
    expect(() => usageAllows(10, 1, -1)).toThrow(RangeError);
    expect(() => usageAllows(10, Number.NaN, 1)).toThrow(RangeError);
    expect(() => usageAllows(-1, 0, 0)).toThrow(RangeError);
    expect(() => usageAllows(null, -1, 0)).toThrow(RangeError);
  });

  it('property: unlimited always allows; otherwise allowed iff used + requested <= limit, monotone', () => {
    const count = fc.integer({ min: 0, max: 1_000_000 });
    fc.assert(
      fc.property(count, count, count, (limit, used, requested) => {
        expect(usageAllows(null, used, requested)).toBe(true);
        const allowed = usageAllows(limit, used, requested);
        expect(allowed).toBe(used + requested <= limit);
        if (allowed && requested > 0) expect(usageAllows(limit, used, requested - 1)).toBe(true);
        if (!allowed) expect(usageAllows(limit, used, requested + 1)).toBe(false);
      }),
    );
  });
});

describe('guards', () => {
  it('recognise valid names only', () => {
    expect(ROLES.every(isRole)).toBe(true);
    expect(FEATURE_FLAGS.every(isFeatureFlag)).toBe(true);
    expect(LIMIT_NAMES.every(isLimitName)).toBe(true);
    for (const bad of ['', 'admin', 'Coach_Pro', 'toString', 'constructor', 42, null, undefined]) {
      expect(isRole(bad)).toBe(false);
      expect(isFeatureFlag(bad)).toBe(false);
      expect(isLimitName(bad)).toBe(false);
    }
  });

  it('ROLES follows the Prisma Role enum order', () => {
    expect(ROLES).toEqual([
      'free',
      'player_pro',
      'player_pro_plus',
      'scorers_pro',
      'scorers_pro_plus',
      'coach_pro',
      'coach_pro_plus',
      'analyst_pro',
      'analyst_pro_plus',
      'org_pro',
      'superuser',
    ]);
  });
});
