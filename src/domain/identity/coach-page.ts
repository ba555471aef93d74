/**
 * The public coach page's calls to action. "Book" shows only when the coach takes bookings and at least
 * one slot is actually open; "Buy" when products are switched on and at least one is for sale, or when
 * at least one course is published (courses are sold on their own pages, whatever productsEnabled says).
 * A button that leads to an empty calendar or an empty shop is worse than no button.
 */
export interface CtaFacts {
  bookingEnabled: boolean;
  hasOpenSlot: boolean;
  productsEnabled: boolean;
  activeProducts: number;
  publishedCourses: number;
}

export function ctaFlags(f: CtaFacts): { book: boolean; buy: boolean } {
  return {
    book: f.bookingEnabled && f.hasOpenSlot,
    buy: (f.productsEnabled && f.activeProducts > 0) || f.publishedCourses > 0,
  };
}
