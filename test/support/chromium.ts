/**
 * Debian's Chromium for browser tests, driven by playwright-core (which downloads no browser):
 * a skip reason where it is absent (never under CI=true, where .ci/run installs it and a skip
 * would hide a broken page), and a launch with the flags this closed network needs.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { skipOrFail } from './requirements.js';

/** Where Debian's `chromium` package puts the browser (RIBSTORE_CHROMIUM overrides). */
export const CHROMIUM_PATH = process.env['RIBSTORE_CHROMIUM'] ?? '/usr/bin/chromium';

/** `false` when Chromium is installed, else the one-line skip reason; under CI its absence fails ({@link skipOrFail}). */
export function chromiumSkipReason(): false | string {
  return skipOrFail(existsSync(CHROMIUM_PATH) ? false : `needs Chromium at ${CHROMIUM_PATH} (Debian package chromium), not found`);
}

/** A headless Chromium with a fresh profile; `close()` ends it and removes the profile. */
export interface TestBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launch headless Chromium with its own new profile directory. Background networking, QUIC,
 * component updates and sync are off: this machine's network is closed, and the page under test
 * must work with nothing but ribstore.
 */
export async function launchChromium(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'ribstore-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
