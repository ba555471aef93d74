import type { Funnel, PeriodTotals } from './funnel';

// The coach's funnel and revenue per period as a hand-written SVG, drawn from the same numbers as the
// JSON. Every bar carries its stage/period and value as data-* attributes, so a reader (or a test)
// can check the picture against the numbers without measuring pixels.

const W = 640;
const BAR_W = 110;
const FUNNEL_H = 180;
const CHART_H = 160;

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );

/** Bar height in whole pixels: proportional to value/max, at least 1 px for any non-zero value. */
export function barHeight(value: number, max: number, full: number): number {
  if (value <= 0 || max <= 0) return 0;
  return Math.max(1, Math.round((value / max) * full));
}

const pct = (r: number | null) => (r === null ? '–' : `${(r * 100).toFixed(1)}%`);

export function renderAnalyticsSvg(input: {
  funnel: Funnel;
  series: PeriodTotals[];
  /** The currency the revenue chart shows (the coach's largest); null when there was none. */
  currency: string | null;
}): string {
  const { funnel, series, currency } = input;
  const stages = [
    ['views', 'Views', funnel.views],
    ['checkouts', 'Checkouts', funnel.checkouts],
    ['purchases', 'Purchases', funnel.purchases],
    ['bookings', 'Bookings', funnel.bookings],
  ] as const;
  const fMax = Math.max(...stages.map((s) => s[2]));
  const top = 40;
  const funnelBars = stages
    .map(([key, label, value], i) => {
      const h = barHeight(value, fMax, FUNNEL_H);
      const x = 30 + i * (BAR_W + 40);
      const y = top + FUNNEL_H - h;
      return [
        `<rect class="funnel-bar" data-stage="${key}" data-value="${value}" x="${x}" y="${y}" width="${BAR_W}" height="${h}" fill="#0b5fff"/>`,
        `<text x="${x + BAR_W / 2}" y="${top + FUNNEL_H + 16}" text-anchor="middle" font-size="12">${label}: ${value}</text>`,
      ].join('');
    })
    .join('\n');
  const r = funnel.rates;
  const rates = `<text x="30" y="${top + FUNNEL_H + 36}" font-size="12">View→checkout ${pct(r.viewToCheckout)} · checkout→purchase ${pct(r.checkoutToPurchase)} · view→purchase ${pct(r.viewToPurchase)} · view→booking ${pct(r.viewToBooking)}</text>`;

  const chartTop = top + FUNNEL_H + 80;
  const amounts = series.map((p) => (currency ? (p.revenue[currency] ?? 0) : 0));
  const rMax = Math.max(0, ...amounts);
  const slot = series.length > 0 ? (W - 60) / series.length : 0;
  const revenueBars = series
    .map((p, i) => {
      const value = amounts[i]!;
      const h = barHeight(value, rMax, CHART_H);
      const x = 30 + i * slot;
      return `<rect class="revenue-bar" data-period="${p.period}" data-value="${value}" x="${x.toFixed(1)}" y="${chartTop + CHART_H - h}" width="${Math.max(1, slot - 2).toFixed(1)}" height="${h}" fill="#1a9e5a"><title>${p.period}: ${value}</title></rect>`;
    })
    .join('\n');
  const height = chartTop + CHART_H + 30;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="system-ui,sans-serif" role="img" aria-label="Funnel and revenue">`,
    `<text x="30" y="24" font-size="16" font-weight="bold">Funnel</text>`,
    funnelBars,
    rates,
    `<text x="30" y="${chartTop - 12}" font-size="16" font-weight="bold">Revenue per period${currency ? ` (${esc(currency)}, minor units)` : ''}</text>`,
    revenueBars,
    `<line x1="30" y1="${chartTop + CHART_H}" x2="${W - 30}" y2="${chartTop + CHART_H}" stroke="#999"/>`,
    '</svg>',
  ].join('\n');
}
