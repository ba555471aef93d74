// Rate-limit rule tables for identity, here (not in src/app) so the workers' retention of rate-limit
// rows (workers/schedules.ts) reads them without importing use cases. Counted by src/data/rate-limit.ts.

/**
 * Login throttling (issue 9 #7). Every attempt is counted before the password is checked, each counter
 * with one atomic upsert, so a burst of concurrent guesses cannot all be checked:
 * - perIp: all attempts from one address, whatever the account (spraying many accounts from one place);
 * - perAccountAndIp: attempts at one account from one address; a success clears it. This is what stops
 *   a guesser, and it stops only them: the owner elsewhere is not affected;
 * - perAccount: attempts at one account from addresses that have never logged in to it (guessing spread
 *   over many addresses). Addresses the account has logged in from lately (KNOWN_ADDRESS_MS in
 *   src/app/identity/accounts.ts: the owner's own devices) are not counted and not stopped by it,
 *   so the owner is at worst slowed down at a new place until the window ends, never locked out.
 * A stopped attempt answers 429 with Retry-After (the end of the counter's window) and checks nothing.
 */
export const LOGIN_LIMITS = {
  perIp: { limit: 30, windowMs: 15 * 60_000 },
  /**
   * Sign-ups from one address (issue 9 #14). Register still answers 409 for a taken email — an
   * identical answer would need an email-confirmed sign-up, since a new account gets working tokens at
   * once — so probing addresses through it is throttled instead, before any scrypt work is spent.
   */
  registrationsPerIp: { limit: 10, windowMs: 15 * 60_000 },
  perAccountAndIp: { limit: 5, windowMs: 15 * 60_000 },
  perAccount: { limit: 20, windowMs: 15 * 60_000 },
};
