import { tierRank, type Role } from './plans';

// What billing does to a user's role: the dunning schedule after a failed renewal (its last step
// moves the user to free), and whether billing may write a role at all. No I/O.

/**
 * Offsets (ms after the first failed renewal) at which dunning emails go out; the last one is the
 * end: still unpaid then, the subscription is cancelled and the user moved to free (that email says so).
 */
export function validDunningSchedule(offsetsMs: readonly number[]): string | null {
  if (offsetsMs.length === 0) return 'needs at least one offset';
  for (let i = 0; i < offsetsMs.length; i++) {
    const v = offsetsMs[i]!;
    if (!Number.isFinite(v) || v < 0) return `offset ${i + 1} must be >= 0`;
    if (i > 0 && v <= offsetsMs[i - 1]!) return 'offsets must increase';
  }
  return null;
}

export interface RoleDecision {
  apply: boolean;
  reason: string;
}

/**
 * Billing owns a role it set itself. A role set elsewhere (an operator's comp, the demo seed) is
 * raised by billing when the subscription is worth more, but never lowered; superuser is never
 * touched. Every decision other than "nothing to do" is recorded in role_changes with its reason.
 */
export function billingRoleDecision(a: {
  current: Role;
  target: Role;
  setByBilling: boolean;
  why: string;
}): RoleDecision | null {
  if (a.current === a.target) return null;
  if (a.current === 'superuser')
    return { apply: false, reason: `${a.why}; superuser is not managed by billing` };
  if (a.setByBilling) return { apply: true, reason: a.why };
  if (tierRank(a.target) > tierRank(a.current))
    return { apply: true, reason: `${a.why}; raises a role set outside billing (${a.current})` };
  return {
    apply: false,
    reason: `${a.why}; ${a.current} was set by an operator or the seed and billing does not lower it`,
  };
}
