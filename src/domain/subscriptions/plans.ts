/**
 * Subscription tiers, their feature flags, usage limits and prices: one declarative table plus the
 * inheritance rules that resolve it. Source: Cricksy tier blueprint (seed 001, sections B, C, D) and
 * the Coach Pro Plus gating notes (seed 000). Where the seeds disagree the choice is commented inline.
 *
 * Longer than 400 lines on purpose: the plan table (~200 lines, one entry per role) is reviewed against
 * the seeds as a whole, next to the rules that resolve it; splitting it would scatter that comparison.
 */
import { money, type Money } from '../shared/money';

// Same order as the Prisma `Role` enum.
export const ROLES = [
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
] as const;
export type Role = (typeof ROLES)[number];

export const FEATURE_FLAGS = [
  // Free
  'live_scoring',
  'fan_mode',
  'player_profile_view',
  // Player Pro
  'career_summary',
  // Player Pro Plus
  'ai_weekly_feedback',
  'peer_comparison',
  'goal_tracking',
  'dismissal_breakdown',
  // Scorers Pro
  'offline_scoring',
  'advanced_scoring_templates',
  'pro_scoreboard_overlays',
  // Scorers Pro Plus
  'broadcast_integration',
  'multi_venue_aggregation',
  'advanced_cloud_sync',
  'custom_branding',
  // Coach Pro
  'player_assignment',
  'session_notebook',
  'multi_player_compare',
  'ai_session_summary',
  'priority_support',
  'bookings_enabled',
  'paid_sessions_enabled',
  // Coach Pro Plus
  'video_upload_enabled',
  'video_playback',
  'video_analysis_enabled',
  'clip_creation_enabled',
  'clip_library',
  // Analyst Pro
  'analyst_workspace',
  'heatmaps',
  'ball_clustering',
  'phase_analysis',
  'data_export',
  'case_study_tags',
  // Analyst Pro Plus
  'automated_reports',
  'shap_explainability',
  'team_comparison',
  'advanced_filters',
  'bulk_operations',
  // Org Pro
  'org_dashboard',
  'league_management',
  'sponsor_panel',
] as const;
export type FeatureFlag = (typeof FEATURE_FLAGS)[number];

export const LIMIT_NAMES = [
  'max_games',
  'max_tournaments',
  'ai_tokens_per_month',
  'ai_reports_per_month',
  'storage_quota_bytes',
  'max_concurrent_games',
  /** Balls a scorer can undo within the over (offline error correction); 0 = feature absent. */
  'error_correction_depth',
  'org_teams',
  'org_coach_seats',
  'org_analyst_seats',
] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

/** A usage limit; `null` means unlimited. */
export type Limit = number | null;

/** Seed quotes storage in marketing GB, i.e. decimal gigabytes. */
export const BYTES_PER_GB = 1_000_000_000;

/** Support SLA: basic = email (24h), premium = chat/phone (4h) per seed D. */
export type SupportLevel = 'none' | 'basic' | 'premium';

export const PLAN_CURRENCY = 'USD';

// --- Org Pro seat tiers (seed B) --------------------------------------------------------------------

export const ORG_SEAT_TIER_NAMES = ['starter', 'growth', 'elite'] as const;
export type OrgSeatTier = (typeof ORG_SEAT_TIER_NAMES)[number];

export interface OrgSeatTierDef {
  readonly name: string;
  readonly priceMonthlyMinor: number;
  readonly teams: number;
  readonly coachSeats: number;
  readonly analystSeats: number;
}

export const ORG_SEAT_TIERS = {
  starter: { name: 'Org Pro Starter', priceMonthlyMinor: 3900, teams: 4, coachSeats: 4, analystSeats: 1 },
  growth: { name: 'Org Pro Growth', priceMonthlyMinor: 7900, teams: 10, coachSeats: 8, analystSeats: 3 },
  elite: { name: 'Org Pro Elite', priceMonthlyMinor: 14900, teams: 20, coachSeats: 15, analystSeats: 5 },
} as const satisfies Record<OrgSeatTier, OrgSeatTierDef>;

/** An org_pro subscription without a known seat tier gets the smallest one (least privilege). */
export const DEFAULT_ORG_SEAT_TIER: OrgSeatTier = 'starter';

// --- The plan table -----------------------------------------------------------------------------------

/** `priority_support` is derived from `support`, so it cannot be set directly. */
type DeclaredFlag = Exclude<FeatureFlag, 'priority_support'>;

export interface PlanDefinition {
  readonly name: string;
  /** Monthly list price in USD cents. */
  readonly priceMonthlyMinor: number;
  /** Start from this plan's resolved features/limits, then apply the overrides below. */
  readonly basePlan?: Role;
  /** Superuser: every flag on, every limit unlimited; overrides are ignored. */
  readonly unlimited?: true;
  /** Inherited from basePlan when omitted. */
  readonly support?: SupportLevel;
  readonly features?: Partial<Record<DeclaredFlag, boolean>>;
  readonly limits?: Partial<Record<LimitName, Limit>>;
}

const COACH_PLUS_VIDEO = {
  video_upload_enabled: true,
  video_playback: true,
  video_analysis_enabled: true,
  clip_creation_enabled: true,
  clip_library: true,
} as const;

/**
 * Anything a plan does not declare and does not inherit is off / 0 (see `NOTHING` below).
 * The base ladder is free ⊂ player_pro ⊂ coach_pro ⊂ analyst_pro ⊂ analyst_pro_plus ⊂ org_pro, each
 * Plus tier extends its base, and scorers branch off free.
 */
export const PLAN_DEFINITIONS = {
  free: {
    name: 'Free',
    priceMonthlyMinor: 0,
    support: 'none',
    features: { live_scoring: true, fan_mode: true, player_profile_view: true },
    limits: {
      max_games: 10,
      max_tournaments: 1,
      ai_tokens_per_month: 10_000,
      ai_reports_per_month: 5,
      // "Live scoring (basic, single game)".
      max_concurrent_games: 1,
    },
  },
  player_pro: {
    name: 'Player Pro',
    priceMonthlyMinor: 199,
    basePlan: 'free',
    // Seed B says "Everything in Free", but matrix C marks Fan Mode ✗ for every paid tier: fan mode is
    // the free tier's capped (≤10 matches) creation mode, superseded by unlimited games. C wins.
    features: { fan_mode: false, career_summary: true },
    limits: { max_games: null, max_tournaments: 10, ai_tokens_per_month: 100_000, ai_reports_per_month: 50 },
  },
  player_pro_plus: {
    name: 'Player Pro Plus',
    priceMonthlyMinor: 499,
    basePlan: 'player_pro',
    features: {
      ai_weekly_feedback: true,
      peer_comparison: true,
      goal_tracking: true,
      dismissal_breakdown: true,
    },
    // Seed D's table says AI tokens "50 → 100", matrix C says Player Pro 100K and Plus 100K. Tokens are
    // counted in thousands everywhere else, so D's 50 contradicts C; we keep C (100K, inherited).
  },
  scorers_pro: {
    name: 'Scorers Pro',
    priceMonthlyMinor: 999,
    // Not in matrix C; seed B lists no "Everything in …", so it extends Free with the scoring tools.
    basePlan: 'free',
    support: 'basic',
    features: {
      fan_mode: false, // as for every paid tier in matrix C
      offline_scoring: true,
      advanced_scoring_templates: true,
      pro_scoreboard_overlays: true,
    },
    // Unlimited games like every paid tier in matrix C. Tournaments/AI quotas are not given by the
    // seed for scorers and stay at Free's values.
    limits: { max_games: null, max_concurrent_games: 3, error_correction_depth: 3 },
  },
  scorers_pro_plus: {
    name: 'Scorers Pro Plus',
    priceMonthlyMinor: 1499,
    basePlan: 'scorers_pro',
    support: 'premium',
    features: {
      broadcast_integration: true,
      multi_venue_aggregation: true,
      advanced_cloud_sync: true,
      custom_branding: true,
    },
    limits: { max_concurrent_games: 5, error_correction_depth: 5 },
  },
  coach_pro: {
    name: 'Coach Pro',
    priceMonthlyMinor: 999,
    basePlan: 'player_pro',
    support: 'basic',
    features: {
      player_assignment: true,
      session_notebook: true,
      multi_player_compare: true,
      ai_session_summary: true,
      // Coaches publish bookable services and sell pay-per-minute sessions from Coach Pro up.
      bookings_enabled: true,
      paid_sessions_enabled: true,
    },
    limits: { max_tournaments: 50, ai_reports_per_month: 100 },
  },
  coach_pro_plus: {
    name: 'Coach Pro Plus',
    // Seed D's pricing overview says $19.99; section E's PLAN_FEATURES/pricing-page code says 24.99.
    // The pricing overview (and full matrix G) is the product decision; E's code is a draft.
    priceMonthlyMinor: 1999,
    basePlan: 'coach_pro',
    support: 'premium',
    features: COACH_PLUS_VIDEO,
    limits: { ai_reports_per_month: 150, storage_quota_bytes: 500 * BYTES_PER_GB },
  },
  analyst_pro: {
    name: 'Analyst Pro',
    // Seed B says $29.99; matrix G says $14.99. B is the tier definition, and D's "+$10 from Analyst
    // Pro" is equally inconsistent, so B stands.
    priceMonthlyMinor: 2999,
    basePlan: 'coach_pro',
    features: {
      analyst_workspace: true,
      heatmaps: true,
      ball_clustering: true,
      phase_analysis: true,
      data_export: true,
      case_study_tags: true,
    },
    limits: { max_tournaments: null, ai_reports_per_month: 200 },
  },
  analyst_pro_plus: {
    name: 'Analyst Pro Plus',
    // Seed D: $24.99 — cheaper than Analyst Pro's $29.99 although it is a strict superset. Kept as
    // written pending a pricing decision; tierRank still ranks it above analyst_pro.
    priceMonthlyMinor: 2499,
    basePlan: 'analyst_pro',
    support: 'premium',
    features: {
      automated_reports: true,
      shap_explainability: true,
      team_comparison: true,
      advanced_filters: true,
      bulk_operations: true,
    },
    limits: { ai_tokens_per_month: 200_000 },
  },
  org_pro: {
    name: 'Org Pro',
    // List price of the default (starter) seat tier; see ORG_SEAT_TIERS / monthlyPrice().
    priceMonthlyMinor: ORG_SEAT_TIERS.starter.priceMonthlyMinor,
    // Everything coach/analyst have (matrix G gives Org Pro the analyst Plus extras too), plus org tools.
    basePlan: 'analyst_pro_plus',
    features: {
      // Matrix C marks Video Lessons/Clip Library ✗ for Org Pro, but seed 000's gate, section E's
      // check_video_upload_access and matrix G all grant org_pro video. Video wins.
      ...COACH_PLUS_VIDEO,
      org_dashboard: true,
      league_management: true,
      sponsor_panel: true,
      custom_branding: true,
    },
    limits: {
      ai_tokens_per_month: null,
      ai_reports_per_month: null,
      storage_quota_bytes: 5000 * BYTES_PER_GB,
      org_teams: ORG_SEAT_TIERS.starter.teams,
      org_coach_seats: ORG_SEAT_TIERS.starter.coachSeats,
      org_analyst_seats: ORG_SEAT_TIERS.starter.analystSeats,
    },
  },
  superuser: {
    name: 'Superuser',
    priceMonthlyMinor: 0, // staff/admin accounts are not sold
    support: 'premium',
    unlimited: true,
  },
} as const satisfies Record<Role, PlanDefinition>;

// --- Resolution ---------------------------------------------------------------------------------------

export interface Plan {
  readonly role: Role;
  readonly name: string;
  readonly priceMonthlyMinor: number;
  readonly basePlan: Role | null;
  readonly support: SupportLevel;
  readonly features: Readonly<Record<FeatureFlag, boolean>>;
  readonly limits: Readonly<Record<LimitName, Limit>>;
}

const NOTHING = {
  support: 'none' as SupportLevel,
  features: Object.fromEntries(FEATURE_FLAGS.map((f) => [f, false])) as Record<FeatureFlag, boolean>,
  limits: Object.fromEntries(LIMIT_NAMES.map((l) => [l, 0])) as Record<LimitName, Limit>,
};

function resolve(role: Role, seen: readonly Role[] = []): Plan {
  if (seen.includes(role)) throw new Error(`Plan inheritance cycle: ${[...seen, role].join(' -> ')}`);
  const def: PlanDefinition = PLAN_DEFINITIONS[role];
  const parent = def.basePlan ? resolve(def.basePlan, [...seen, role]) : NOTHING;

  let features: Record<FeatureFlag, boolean>;
  let limits: Record<LimitName, Limit>;
  if (def.unlimited) {
    features = Object.fromEntries(FEATURE_FLAGS.map((f) => [f, true])) as Record<FeatureFlag, boolean>;
    limits = Object.fromEntries(LIMIT_NAMES.map((l) => [l, null])) as Record<LimitName, Limit>;
  } else {
    features = { ...parent.features, ...def.features };
    limits = { ...parent.limits, ...def.limits };
  }
  const support = def.support ?? parent.support;
  features.priority_support = support !== 'none';

  return Object.freeze({
    role,
    name: def.name,
    priceMonthlyMinor: def.priceMonthlyMinor,
    basePlan: def.basePlan ?? null,
    support,
    features: Object.freeze(features),
    limits: Object.freeze(limits),
  });
}

// Resolved once at load: the table is static, and this surfaces a bad table immediately.
const PLANS: Readonly<Record<Role, Plan>> = Object.freeze(
  Object.fromEntries(ROLES.map((role) => [role, resolve(role)])) as Record<Role, Plan>,
);

// --- Public API ---------------------------------------------------------------------------------------

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isFeatureFlag(value: unknown): value is FeatureFlag {
  return typeof value === 'string' && (FEATURE_FLAGS as readonly string[]).includes(value);
}

export function isLimitName(value: unknown): value is LimitName {
  return typeof value === 'string' && (LIMIT_NAMES as readonly string[]).includes(value);
}

/** The fully resolved plan (inheritance applied). */
export function planFor(role: Role): Plan {
  return PLANS[role];
}

export function effectiveFeatures(role: Role): Readonly<Record<FeatureFlag, boolean>> {
  return PLANS[role].features;
}

export function hasFeature(role: Role, flag: FeatureFlag): boolean {
  return PLANS[role].features[flag];
}

/** Roles that have a flag, lowest tier first; handy for "upgrade to unlock" prompts. */
export function rolesWithFeature(flag: FeatureFlag): Role[] {
  return ROLES.filter((role) => hasFeature(role, flag)).sort((a, b) => tierRank(a) - tierRank(b));
}

/** Limits for a role; for org_pro the team/seat limits depend on the seat tier bought. */
export function effectiveLimits(
  role: Role,
  orgTier: OrgSeatTier = DEFAULT_ORG_SEAT_TIER,
): Readonly<Record<LimitName, Limit>> {
  const limits = PLANS[role].limits;
  if (role !== 'org_pro') return limits;
  const seats = ORG_SEAT_TIERS[orgTier];
  return Object.freeze({
    ...limits,
    org_teams: seats.teams,
    org_coach_seats: seats.coachSeats,
    org_analyst_seats: seats.analystSeats,
  });
}

export function limitFor(
  role: Role,
  limitName: LimitName,
  orgTier: OrgSeatTier = DEFAULT_ORG_SEAT_TIER,
): Limit {
  return effectiveLimits(role, orgTier)[limitName];
}

/** Exactly the 403 detail the API returns when a feature gate fails. */
export function featureDeniedMessage(flag: FeatureFlag): string {
  return `Insufficient feature access: ${flag}`;
}

/** A tier someone pays for (superuser is an admin role, not a product). */
export function isPaidTier(role: Role): boolean {
  return role !== 'superuser' && PLAN_DEFINITIONS[role].priceMonthlyMinor > 0;
}

export function isPlusTier(role: Role): boolean {
  return role.endsWith('_plus');
}

/** Monthly list price as Money; org_pro is priced by seat tier. */
export function monthlyPrice(role: Role, orgTier: OrgSeatTier = DEFAULT_ORG_SEAT_TIER): Money {
  const minor =
    role === 'org_pro' ? ORG_SEAT_TIERS[orgTier].priceMonthlyMinor : PLANS[role].priceMonthlyMinor;
  return money(minor, PLAN_CURRENCY);
}

/**
 * Product level, not price: it says whether a plan change is an upgrade or a downgrade. Parallel
 * tracks at the same level (scorers vs coach) share a rank, making a switch between them lateral.
 * Proration must still use real prices: analyst_pro -> analyst_pro_plus is an upgrade that costs less.
 */
const TIER_RANK = {
  free: 0,
  player_pro: 1,
  player_pro_plus: 2,
  scorers_pro: 3,
  coach_pro: 3,
  scorers_pro_plus: 4,
  coach_pro_plus: 4,
  analyst_pro: 5,
  analyst_pro_plus: 6,
  org_pro: 7,
  superuser: 8,
} as const satisfies Record<Role, number>;

export function tierRank(role: Role): number {
  return TIER_RANK[role];
}

export type PlanChange = 'upgrade' | 'downgrade' | 'lateral' | 'none';

export function planChangeDirection(from: Role, to: Role): PlanChange {
  if (from === to) return 'none';
  const delta = tierRank(to) - tierRank(from);
  return delta > 0 ? 'upgrade' : delta < 0 ? 'downgrade' : 'lateral';
}

/**
 * Whether `requested` more units fit under `limit` given `used` so far (null = unlimited).
 * Counts must be non-negative finite numbers; a negative count is a caller bug, not a refund.
 */
export function usageAllows(limit: Limit, used: number, requested: number): boolean {
  for (const [label, value] of [
    ['used', used],
    ['requested', requested],
  ] as const) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`${label} must be >= 0, got ${value}`);
  }
  if (limit === null) return true;
  if (!Number.isFinite(limit) || limit < 0) throw new RangeError(`limit must be >= 0 or null, got ${limit}`);
  return used + requested <= limit;
}
