import { rejectProblems, type FieldProblem } from '../../domain/shared/errors';
import {
  coachBalances,
  coachMovements,
  coachPeriodTotals,
  type CurrencyBalance,
  type MovementPage,
  type PeriodTotal,
} from '../../data/ledger';
import type { Deps } from '../../infra/deps';

// A coach's earnings: balances (pending, available, paid out) as of the end of the period asked for,
// what the period added up to, and its ledger movements page by page. Everything is read from the
// ledger; the caller only ever sees their own coach_payable account.

export interface EarningsQuery {
  from?: Date;
  to?: Date;
  limit: number;
  offset: number;
}

export interface Earnings {
  asOf: Date;
  holdPeriodMs: number;
  feeBps: number;
  balances: CurrencyBalance[];
  period: { from: Date | null; to: Date | null; totals: PeriodTotal[] };
  movements: MovementPage;
}

export async function earningsOf(
  deps: Pick<Deps, 'db' | 'cfg'>,
  coachId: string,
  q: EarningsQuery,
  now = new Date(),
): Promise<Earnings> {
  const problems: FieldProblem[] = [];
  if (q.from && q.to && q.from.getTime() >= q.to.getTime())
    problems.push({ field: 'to', reason: 'must be after from' });
  rejectProblems(problems);
  // Balances at the period's end, never in the future (nothing has matured there yet).
  const asOf = q.to && q.to.getTime() < now.getTime() ? q.to : now;
  const holdMs = deps.cfg.EARNINGS_HOLD_PERIOD;
  const [balances, movements, totals] = await Promise.all([
    coachBalances(deps.db, coachId, asOf, holdMs),
    coachMovements(deps.db, coachId, q),
    coachPeriodTotals(deps.db, coachId, q),
  ]);
  return {
    asOf,
    holdPeriodMs: holdMs,
    feeBps: deps.cfg.PLATFORM_FEE_BPS,
    balances,
    period: { from: q.from ?? null, to: q.to ?? null, totals },
    movements,
  };
}
