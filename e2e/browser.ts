import { type Browser, chromium } from "playwright-core";

/*
 * Debian's Chromium driven by playwright-core (a browser download is impossible here). The
 * flags keep it off the network: without them it calls Google's services at start and the
 * closed network refuses them, many at a time. Playwright gives every launch a fresh, empty
 * profile directory of its own (it refuses --user-data-dir in launch()).
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
