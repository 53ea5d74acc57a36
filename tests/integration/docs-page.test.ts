/**
 * Swagger UI at /docs in a real browser (Debian's chromium, headless; scripts/ensure-chromium.sh):
 * the page renders every operation of /openapi.json under its own CSP, asks no other origin for
 * anything, and the browser reports no CSP violation.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { useServer } from '../support/server';

const CHROMIUM = '/usr/bin/chromium';

describe('Swagger UI at /docs in a browser', () => {
  const server = useServer();
  let browser: Browser | undefined;
  let profile: string | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: run scripts/ensure-chromium.sh (apt-get install -y chromium)`);
    profile = mkdtempSync(path.join(tmpdir(), 'pasar-docs-'));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: profile,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  });

  /** Closed by the test itself, before the server's afterAll waits on the page's keep-alive sockets. */
  async function closeBrowser() {
    await browser?.close();
    browser = undefined;
    if (profile) rmSync(profile, { recursive: true, force: true });
  }
  afterAll(closeBrowser);

  it('renders every operation with no CSP violation and no request to another origin', async () => {
    const { base } = server();
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, object> };
    const operations = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);

    const page = await browser!.newPage();
    const errors: string[] = [];
    const elsewhere: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith('data:')) elsewhere.push(r.url());
    });
    // Violations are also events in the page: recorded before any script of the page runs.
    await page.evaluateOnNewDocument(`
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
    `);
    const res = await page.goto(`${base}/docs`);
    expect(res?.status()).toBe(200);
    // Page code as strings: the test's TypeScript has no DOM types.
    await page.waitForFunction(`document.querySelectorAll('.opblock').length >= ${operations}`, { timeout: 30_000 });
    const shown = await page.evaluate("document.querySelectorAll('.opblock').length");
    const title = await page.evaluate("document.querySelector('.info .title')?.textContent ?? ''");
    const violations = await page.evaluate('window.__violations');
    await closeBrowser();

    expect(shown).toBe(operations);
    expect(title).toContain('Pasar API');
    expect({ violations, errors, elsewhere }).toEqual({ violations: [], errors: [], elsewhere: [] });
  });
});
