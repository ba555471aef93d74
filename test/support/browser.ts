import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../src/dev/services';

// Headless Debian Chromium driven by playwright-core (no browser download: .ci/run installs the
// `chromium` package). Pages are watched for Content-Security-Policy violations and for any request
// that leaves this machine, which fail the page's test: what a person sees must work offline.

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(REPO_ROOT, '.data/screenshots');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: apt-get install -y chromium (bash .ci/run does), or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

export interface WatchedPage {
  page: Page;
  /** "<directive> <blocked URI>" for each Content-Security-Policy violation the page reported. */
  cspViolations: string[];
  /** Requests to anything but the loopback addresses; they are aborted. */
  offMachineRequests: string[];
  /** Uncaught errors in the page's scripts. */
  pageErrors: string[];
  screenshot(name: string): Promise<string>;
}

const LOCAL = /^(https?|wss?):\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//;

export async function watchedPage(browser: Browser): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const watched: WatchedPage = {
    page,
    cspViolations: [],
    offMachineRequests: [],
    pageErrors: [],
    async screenshot(name) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const path = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path });
      return path;
    },
  };
  await page.exposeFunction('__reportCsp', (line: string) => watched.cspViolations.push(line));
  // A string, not a function: this file is compiled without the DOM types.
  await page.addInitScript(`document.addEventListener('securitypolicyviolation', (e) =>
    window.__reportCsp(e.violatedDirective + ' ' + e.blockedURI));`);
  page.on('pageerror', (err) => watched.pageErrors.push(err.message));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (LOCAL.test(url) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    watched.offMachineRequests.push(url);
    return route.abort('blockedbyclient');
  });
  return watched;
}
