import {
  isPaidTier,
  isRole,
  monthlyPrice,
  ORG_SEAT_TIER_NAMES,
  ORG_SEAT_TIERS,
  PLAN_CURRENCY,
  planFor,
  ROLES,
  type OrgSeatTier,
  type Role,
} from './plans';

// What can be bought and under which Stripe lookup key and product id, and what `npm run stripe:sync`
// must do to make Stripe's catalogue match the plan table (plans.ts). No I/O.

/** A plan as bought: org_pro also names its seat tier. */
export interface PlanChoice {
  plan: Role;
  seatTier: OrgSeatTier | null;
}

/** Every plan someone can subscribe to (paid tiers; superuser is not sold). */
export const SUBSCRIBABLE_PLANS: readonly Role[] = ROLES.filter(isPaidTier);

export const isSeatTier = (v: unknown): v is OrgSeatTier =>
  typeof v === 'string' && (ORG_SEAT_TIER_NAMES as readonly string[]).includes(v);

/** Stripe lookup key of a plan's monthly price: stable across price changes (transferred to a new price). */
export function lookupKeyOf(choice: PlanChoice): string {
  return choice.plan === 'org_pro'
    ? `coachflow_org_pro_${choice.seatTier ?? 'starter'}_monthly`
    : `coachflow_${choice.plan}_monthly`;
}

/** Stripe product id of a plan (custom ids make product creation idempotent). */
export function productIdOf(choice: PlanChoice): string {
  return choice.plan === 'org_pro'
    ? `coachflow_org_pro_${choice.seatTier ?? 'starter'}`
    : `coachflow_${choice.plan}`;
}

export function choiceFromLookupKey(key: string): PlanChoice | undefined {
  const org = /^coachflow_org_pro_([a-z]+)_monthly$/.exec(key);
  if (org) return isSeatTier(org[1]) ? { plan: 'org_pro', seatTier: org[1] } : undefined;
  const m = /^coachflow_([a-z_]+)_monthly$/.exec(key);
  if (!m || !isRole(m[1]) || m[1] === 'org_pro' || !SUBSCRIBABLE_PLANS.includes(m[1])) return undefined;
  return { plan: m[1], seatTier: null };
}

export function priceOfChoice(choice: PlanChoice): number {
  return monthlyPrice(choice.plan, choice.seatTier ?? undefined).amountMinor;
}

export interface CatalogueEntry {
  lookupKey: string;
  productId: string;
  name: string;
  unitAmountMinor: number;
  /** Stripe spells currencies in lower case. */
  currency: string;
  choice: PlanChoice;
}

/** The Stripe catalogue the plan table implies: one monthly price per paid plan and per Org Pro seat tier. */
export function catalogue(): CatalogueEntry[] {
  const choices = SUBSCRIBABLE_PLANS.flatMap((plan): PlanChoice[] =>
    plan === 'org_pro'
      ? ORG_SEAT_TIER_NAMES.map((seatTier) => ({ plan, seatTier }))
      : [{ plan, seatTier: null }],
  );
  return choices.map((choice) => ({
    lookupKey: lookupKeyOf(choice),
    productId: productIdOf(choice),
    name: choice.seatTier ? ORG_SEAT_TIERS[choice.seatTier].name : planFor(choice.plan).name,
    unitAmountMinor: priceOfChoice(choice),
    currency: PLAN_CURRENCY.toLowerCase(),
    choice,
  }));
}

/** A price Stripe already has, as far as the sync cares. */
export interface ExistingPrice {
  id: string;
  lookupKey: string | null;
  productId: string;
  unitAmountMinor: number | null;
  currency: string;
  active: boolean;
  recurringInterval: string | null;
}

export type CatalogueAction =
  | { kind: 'create_product'; productId: string; name: string }
  | { kind: 'create_price'; entry: CatalogueEntry; replaces: string | null }
  | { kind: 'archive_price'; priceId: string; lookupKey: string };

/**
 * What `npm run stripe:sync` must do to make Stripe match the plan table. A price that already
 * matches changes nothing (re-running is a no-op); a changed amount gets a new price that takes the
 * lookup key over, and the old one is archived (subscribers keep it until they change plan).
 */
export function planCatalogueSync(
  desired: readonly CatalogueEntry[],
  existingProducts: ReadonlySet<string>,
  existingPrices: readonly ExistingPrice[],
): CatalogueAction[] {
  const actions: CatalogueAction[] = [];
  for (const entry of desired) {
    if (!existingProducts.has(entry.productId))
      actions.push({ kind: 'create_product', productId: entry.productId, name: entry.name });
    const current = existingPrices.find((p) => p.lookupKey === entry.lookupKey && p.active);
    const matches =
      current &&
      current.unitAmountMinor === entry.unitAmountMinor &&
      current.currency === entry.currency &&
      current.productId === entry.productId &&
      current.recurringInterval === 'month';
    if (matches) continue;
    actions.push({ kind: 'create_price', entry, replaces: current?.id ?? null });
    if (current) actions.push({ kind: 'archive_price', priceId: current.id, lookupKey: entry.lookupKey });
  }
  return actions;
}
