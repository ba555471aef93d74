import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthCheckEmail } from '../../src/emails/health-check';
import { launchChromium, watchedPage } from '../support/browser';
import { startTestContext, uniqueEmail, type TestContext } from '../support/harness';
import { waitForMessages } from '../support/mailbox';

// Issue 9 item 17: the mail viewer the README points to was a blank page (Mailpit built by `go install`
// has no UI assets). The stack now builds Mailpit with its UI (src/dev/tools.ts, docs/adr/0006).

let ctx: TestContext;
let browser: Browser;

beforeAll(async () => {
  ctx = await startTestContext();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await ctx?.close();
});

describe('issue 9 item 17: the mail viewer shows a sent email', () => {
  it('lists the message and renders its body', async () => {
    const viewer = ctx.deps.cfg.MAIL_VIEWER_URL.replace(/\/$/, '');
    const ui = await fetch(`${viewer}/dist/app.js`);
    expect(
      ui.status,
      `${viewer} serves no UI (/dist/app.js ${ui.status}): an older Mailpit built with go install is ` +
        'listening there; stop it so the stack starts the one built with its UI',
    ).toBe(200);

    const to = uniqueEmail('mail-viewer');
    const checkedAt = new Date().toISOString();
    const email = healthCheckEmail({ checkedAt });
    await ctx.deps.mailer.sendMail({ from: ctx.deps.cfg.MAIL_FROM, to, ...email });
    await waitForMessages(to, { subject: /mail check/ });

    const view = await watchedPage(browser);
    const { page } = view;
    await page.goto(`${viewer}/search?q=${encodeURIComponent(`to:"${to}"`)}`);
    const row = page.locator('.message', { hasText: to });
    await row.waitFor({ timeout: 30_000 });
    await expect.poll(() => row.innerText()).toContain(email.subject);
    await view.screenshot('mail-viewer-list');

    await row.click();
    const body = page.frameLocator('#preview-html').getByText(`Checked at ${checkedAt}`);
    await body.waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('body').innerText()).toContain(to);
    await view.screenshot('mail-viewer-message');

    expect(view.offMachineRequests).toEqual([]);
    expect(view.pageErrors).toEqual([]);
  });
});
