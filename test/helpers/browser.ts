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

/**
 * The page's actions (links, buttons, fields) that the Tab key never reaches, described by their
 * tag and text. Tabs from the top of the page until every one was focused, or a full round went by.
 */
export async function unreachableByKeyboard(page: Page): Promise<string[]> {
  const total = await page.evaluate<number>(`(() => {
    const actions = [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
      .filter((el) => el.type !== 'hidden' && !el.disabled && el.getClientRects().length > 0);
    actions.forEach((el, i) => el.setAttribute('data-keyboard', String(i)));
    document.activeElement?.blur();
    return actions.length;
  })()`);
  const reached = new Set<string>();
  // Enough presses to go round once, with room for what a frame (an email) holds inside it.
  for (let i = 0; i < total * 2 + 20 && reached.size < total; i++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate<string | null>(
      `document.activeElement?.getAttribute('data-keyboard') ?? null`,
    );
    if (at !== null) reached.add(at);
  }
  return page.evaluate<string[]>(`[...document.querySelectorAll('[data-keyboard]')]
    .filter((el) => !${JSON.stringify([...reached])}.includes(el.getAttribute('data-keyboard')))
    .map((el) => el.tagName.toLowerCase() + ' ' + (el.getAttribute('aria-label') || el.textContent || el.name || '').trim().slice(0, 60))`);
}
