import { existsSync } from "node:fs";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

/**
 * Debian's build of Chromium's headless shell (`apt-get install chromium-headless-shell`), the
 * browser Playwright itself runs for headless tests; `.ci/run` installs it when missing. It renders
 * with the same Blink and V8 as the full `chromium`, without the desktop browser around them: on two
 * cores a fresh context cost 0.5 s of CPU in it against 1.6 s in the full browser (ten contexts,
 * measured with process accounting), and the playground's tests 14 s of browser CPU against 40 s.
 */
const HEADLESS_SHELL = "/usr/bin/chromium-headless-shell";

/**
 * The headless shell, or else Debian's full `chromium` (same engine, more CPU per context) when only
 * that is installed; with neither, the shell's path (the tests skip, naming it).
 */
export const CHROMIUM = [HEADLESS_SHELL, "/usr/bin/chromium"].find((file) => existsSync(file)) ?? HEADLESS_SHELL;

/**
 * Launches {@link CHROMIUM} headless. Playwright gives each launch a fresh temporary user-data dir
 * (removed on close), so no profile state carries over between runs.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-quic",
      "--no-first-run",
      "--disable-sync",
    ],
  });
}

/** A page in a fresh context that records every request it makes, CSP violations and script errors. */
export interface RecordedPage {
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested (documents, scripts, styles, fetches, uploads, icons). */
  requests: string[];
  /** The encoded (transferred) body size of every script the pages loaded. */
  scripts: Promise<number>[];
  /** Console messages about the Content-Security-Policy, and uncaught errors of the page. */
  problems: string[];
}

/** Opens a fresh context (its own storage) with a fixed viewport and records what its pages do. */
export async function openRecordedPage(browser: Browser, options: { colorScheme?: "light" | "dark" } = {}): Promise<RecordedPage> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    colorScheme: options.colorScheme ?? "light",
    locale: "en-US",
    timezoneId: "UTC",
  });
  // Generous: the suite must pass on a busy 2-core machine.
  context.setDefaultTimeout(60_000);
  const requests: string[] = [];
  const problems: string[] = [];
  const scripts: Promise<number>[] = [];
  context.on("request", (request) => requests.push(request.url()));
  context.on("requestfinished", (request) => {
    if (request.resourceType() === "script") scripts.push(request.sizes().then((sizes) => sizes.responseBodySize));
  });
  const watched = new WeakSet<Page>();
  const watchOnce = (page: Page) => {
    if (!watched.has(page)) watch(page, problems);
    watched.add(page);
  };
  context.on("page", watchOnce);
  const page = await context.newPage();
  watchOnce(page);
  return { context, page, requests, scripts, problems };
}

function watch(page: Page, problems: string[]): void {
  page.on("console", (message) => {
    if (/content security policy/i.test(message.text())) problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
}
