import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Opens a file in headless Chromium and returns the DOM after the page's scripts ran. */
export function dumpDom(file: string): string {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium was not found at ${CHROMIUM}; the report test needs it to run the page. ` +
        'Install it with `apt-get update && apt-get install -y chromium` (Debian) or set CHROMIUM_PATH.',
    );
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'report-chromium-'));
  try {
    const result = spawnSync(
      CHROMIUM,
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

