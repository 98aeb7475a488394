// A real browser for the console tests: Debian's Chromium driven by playwright-core (never a downloaded
// browser). A machine without it gets it the way the README says, `apt-get install -y chromium`, when
// the tests run as root; otherwise the error says what to install. Pages are checked with axe-core.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The Chromium binary, installed from Debian's packages first if this machine has none. */
export function chromiumPath(): string {
  const found = () => CANDIDATES.find((p): p is string => !!p && fs.existsSync(p));
  let binary = found();
  if (!binary && process.getuid?.() === 0) {
    console.log('Installing Chromium from the Debian packages (apt-get install -y chromium), once…');
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    binary = found();
  }
  if (!binary)
    throw new Error('The console tests need Chromium: `apt-get install -y chromium` (or set CHROMIUM_PATH).');
  return binary;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: FLAGS });
}

/** Where screenshots go (git-ignored). */
export const ARTIFACTS = path.resolve(import.meta.dirname, '../artifacts');

export async function screenshot(page: Page, name: string): Promise<void> {
  await fs.promises.mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** The page's serious and critical accessibility violations (axe-core, WCAG 2.1 A and AA). */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the console's CSP allows no injected <script>, rightly.
  await page.evaluate(AXE);
  const violations = await page.evaluate(
    `axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations)`,
  );
  return (violations as AxeViolation[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
