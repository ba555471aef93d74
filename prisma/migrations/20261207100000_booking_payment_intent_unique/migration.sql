-- Stripe events are attributed by the PaymentIntent id we stored, never by metadata alone
-- (src/app/payments/router.ts): the booking that stored an intent is found by it, and one intent
-- can belong to one booking only.
CREATE UNIQUE INDEX "bookings_payment_intent_id_key" ON "bookings"("payment_intent_id");
