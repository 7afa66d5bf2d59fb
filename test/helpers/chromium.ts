import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** How to get the browser tests to run, for messages. */
export const CHROMIUM_HINT =
  'install Chromium (`apt-get install -y chromium` on Debian) or point CHROMIUM_PATH at a Chromium or Chrome binary';

/** The Chromium binary the browser tests use: `CHROMIUM_PATH` when set, else the first one installed. */
export function findChromium(): string | undefined {
  const explicit = process.env.CHROMIUM_PATH;
  if (explicit !== undefined && explicit !== '') return fs.existsSync(explicit) ? explicit : undefined;
  return CANDIDATES.find((candidate) => fs.existsSync(candidate));
}

/** CI sets REQUIRE_CHROMIUM=1: there, a missing browser fails the browser tests instead of skipping them. */
export const CHROMIUM_REQUIRED = process.env.REQUIRE_CHROMIUM === '1';

/** Opens a file in headless Chromium and returns the DOM after the page's scripts ran. */
export function dumpDom(file: string): string {
  const chromium = findChromium();
  if (chromium === undefined) {
    throw new Error(`Chromium was not found (CHROMIUM_PATH=${process.env.CHROMIUM_PATH ?? 'unset'}); this test runs the page in it: ${CHROMIUM_HINT}.`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'report-chromium-'));
  try {
    const result = spawnSync(
      chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        '--virtual-time-budget=5000',
        '--dump-dom',
        `file://${file}`,
      ],
      { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
    if (result.error) throw new Error(`Chromium failed to run: ${result.error.message}`);
    if (result.status !== 0 || !result.stdout.includes('</html>')) {
      throw new Error(`Chromium exited with ${result.status}; stderr:\n${result.stderr}`);
    }
    return result.stdout;
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}
