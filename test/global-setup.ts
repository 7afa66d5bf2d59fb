import { CHROMIUM_HINT, CHROMIUM_REQUIRED, findChromium } from './helpers/chromium';

/** Runs once before all test files: says when the browser tests will be skipped, and how to run them. */
export default function globalSetup(): void {
  if (findChromium() === undefined && !CHROMIUM_REQUIRED) {
    process.stdout.write(`\nBrowser tests skipped: Chromium was not found. To run them, ${CHROMIUM_HINT}.\n\n`);
  }
}
