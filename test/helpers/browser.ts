// Headless Chromium for the browser tests (Debian's `chromium` package, driven by playwright-core). Without it the
// tests fail under CI=true and are skipped elsewhere; CHROMIUM_PATH overrides where it is looked for.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/** The Chromium executable. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether the Chromium executable exists. */
export const haveChromium = existsSync(CHROMIUM);

/** The `skip` option of a browser test: a reason when Chromium is missing outside CI, else false (run, or fail). */
export const skipWithoutChromium: string | false =
  !haveChromium && process.env.CI !== 'true' ? `${CHROMIUM} not installed (apt-get install chromium)` : false;

/** Launches headless Chromium with no network of its own (no updates, sync or QUIC). */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** `value` when the browser set-up produced it; otherwise fails the test saying Chromium is needed `forWhat`. */
export function needChromium<T>(value: T | undefined, forWhat: string): T {
  if (!value) assert.fail(`headless Chromium is needed ${forWhat}: ${CHROMIUM} not found (apt-get install chromium)`);
  return value;
}
