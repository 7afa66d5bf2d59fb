import { CHROMIUM_REQUIRED, findChromium } from './chromium';

export { dumpDom } from './chromium';

/**
 * `test` for a test that runs a page in a real browser: it runs wherever Chromium is found (or CI requires it), and
 * is skipped elsewhere, with one line in jest's output saying so and how to enable it (see test/global-setup.ts).
 */
export const browserTest: jest.It = findChromium() !== undefined || CHROMIUM_REQUIRED ? test : test.skip;
