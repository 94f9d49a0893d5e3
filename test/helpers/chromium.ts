// Headless Chromium for the HTML report tests, through playwright-core: the one browser setup both
// report tests share (which Chromium, when to skip, the launch flags, a throw-away profile).
// Needs /usr/bin/chromium (Debian package `chromium`, or CHROMIUM_PATH) and playwright-core.
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {skipWithout} from '../report/tools.js';

// Minimal shapes of the playwright-core API used here, so the tests type-check without the package.
export interface Locator {
  isVisible(): Promise<boolean>;
  count(): Promise<number>;
  screenshot(o: {path: string}): Promise<unknown>;
}
export interface Page {
  goto(url: string): Promise<unknown>;
  setViewportSize(s: {width: number; height: number}): Promise<void>;
  locator(selector: string): Locator;
  evaluate<T, A>(fn: (arg: A) => T, arg: A): Promise<T>;
  on(event: 'request', cb: (r: {url(): string}) => void): void;
  screenshot(o: {path: string; fullPage: boolean}): Promise<unknown>;
  close(): Promise<void>;
}
export interface Context {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface Playwright {
  chromium: {launchPersistentContext(dir: string, o: Record<string, unknown>): Promise<Context>};
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const moduleName = 'playwright-core';
const playwright = (await import(moduleName).catch(() => undefined)) as Playwright | undefined;

/** True when the browser tests should be skipped (says why; under CI they run and fail instead). */
export const skipChromium =
  skipWithout('chromium', existsSync(CHROMIUM), 'apt-get install chromium, or CHROMIUM_PATH') ||
  skipWithout('playwright-core', playwright !== undefined, 'npm install playwright-core');

export interface Browser {
  context: Context;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Headless Chromium on a fresh profile, no network chatter of its own. */
export async function launchChromium(viewport: {width: number; height: number}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'tapdoctor-chromium-'));
  let context: Context;
  try {
    context = await playwright!.chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport,
    });
  } catch (error) {
    rmSync(profile, {recursive: true, force: true});
    throw error;
  }
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, {recursive: true, force: true});
    },
  };
}

/** Opens a local file in a new page; `requests` collects every URL the page asks for besides itself. */
export async function openFile(context: Context, file: string): Promise<{page: Page; requests: string[]}> {
  const page = await context.newPage();
  const url = pathToFileURL(file).href;
  const requests: string[] = [];
  page.on('request', (r) => {
    if (r.url() !== url) requests.push(r.url());
  });
  await page.goto(url);
  return {page, requests};
}
