import { returnBookingCredit } from '../../src/data/credits';
import type { Deps } from '../../src/infra/deps';

// The booking workflow's credit step: a cancellation within policy gives the package credit back, once.

export function creditActivities(deps: Pick<Deps, 'db'>) {
  return {
    async returnBookingCredit(bookingId: string): Promise<{ returned: boolean }> {
      return { returned: await returnBookingCredit(deps.db, bookingId) };
    },
  };
}
