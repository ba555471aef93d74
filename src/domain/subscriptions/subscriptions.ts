// The subscription rules live one module per seam: catalogue.ts (what is sold, Stripe lookup keys,
// the stripe:sync plan), state.ts (Stripe's events folded into one state and the role it entitles),
// requests.ts (which requests are allowed and when a change takes effect) and billing.ts (dunning,
// and whether billing may write the role). This file gathers them for importers that use several;
// new code imports the module it needs.

export * from './catalogue';
export * from './state';
export * from './requests';
export * from './billing';
