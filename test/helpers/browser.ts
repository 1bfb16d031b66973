// Debian's Chromium driven by playwright-core (never a downloaded browser).
// Missing Chromium: tests are skipped with a printed notice, except under
// CI=true, where .ci/run installs it and its absence fails the run.
import { existsSync } from 'node:fs';
import type { ExecutionContext } from 'ava';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.TEST_CHROMIUM_PATH || '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI === 'true') throw new Error(`Chromium is missing at ${CHROMIUM_PATH} and CI=true requires it (apt-get install chromium)`);
  console.warn(`NOTICE: Chromium not found at ${CHROMIUM_PATH}; browser tests are SKIPPED. Install Debian's chromium package to run them.`);
  return false;
}

export async function launchBrowser(t: ExecutionContext): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  t.teardown(() => browser.close());
  return browser;
}
