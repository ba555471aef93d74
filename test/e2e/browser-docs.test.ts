import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_CSP } from '../../src/api/docs/routes';
import { launchChromium, watchedPage } from '../support/browser';
import { startTestContext, type TestContext } from '../support/harness';

// Issue 9 item 16: /docs was a blank page without internet (Swagger UI came from a CDN). The API is
// served over real HTTP and opened in headless Chromium that cannot reach anything off this machine.

let ctx: TestContext;
let server: ServerType;
let base: string;
let browser: Browser;

beforeAll(async () => {
  ctx = await startTestContext();
  server = serve({ fetch: ctx.app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((done) => server.once('listening', () => done()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  await ctx?.close();
});

describe('issue 9 item 16: /docs renders offline under a self-only Content-Security-Policy', () => {
  it('sends a CSP that allows only this origin', async () => {
    const res = await fetch(`${base}/docs`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy');
    expect(csp).toBe(DOCS_CSP);
    expect(csp).toContain("default-src 'self'");
    // Nothing but 'self' (and 'none') is ever allowed: no CDN, no inline code, no data: URIs.
    expect(
      csp!.split(/[;\s]+/).filter((t) => t.includes(':') || t.includes('.') || t.includes('unsafe')),
    ).toEqual([]);
    expect(await res.text()).not.toMatch(/https?:\/\//);
  });

  it('renders every operation of /openapi.json and opens one', async () => {
    const spec = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const count = Object.values(spec.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    expect(count).toBeGreaterThan(70);

    const view = await watchedPage(browser);
    const { page } = view;
    await page.goto(`${base}/docs`);
    const createBooking = page.locator('.opblock-post', {
      has: page.locator('.opblock-summary-path', { hasText: /^\/api\/bookings$/ }),
    });
    await createBooking.waitFor({ timeout: 30_000 });
    expect(await page.locator('.opblock').count()).toBe(count);
    expect(await page.locator('.info .title').innerText()).toContain('CoachFlow API');

    await createBooking.locator('.opblock-summary').click();
    await expect.poll(() => createBooking.locator('.opblock-section-request-body').count()).toBe(1);
    await expect
      .poll(() => createBooking.locator('.responses-table .response-col_status').allInnerTexts())
      .toEqual(expect.arrayContaining(['201', '409']));
    await createBooking.scrollIntoViewIfNeeded();
    await view.screenshot('docs');

    expect(view.cspViolations).toEqual([]);
    expect(view.offMachineRequests).toEqual([]);
    expect(view.pageErrors).toEqual([]);
  });
});
