/**
 * Finding and starting the system's Chromium: no browser is downloaded (playwright-core only drives one).
 */
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';

/** Executable names looked up on the PATH, in order. */
const NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome', 'chrome'];

/** What to tell someone with no browser. */
export const INSTALL_HINT =
  'install Chromium (Debian/Ubuntu: `apt-get install chromium`) or point MD2WX_CHROMIUM at a Chromium/Chrome executable';

/** Thrown when no Chromium/Chrome executable can be found. */
export class BrowserNotFoundError extends Error {
  override name = 'BrowserNotFoundError';
  constructor(detail: string) {
    super(`no Chromium found (${detail}): ${INSTALL_HINT}`);
  }
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Chromium executable to use: `MD2WX_CHROMIUM` when set (it must exist), else the first of
 * `chromium`, `chromium-browser`, `google-chrome-stable`, `google-chrome`, `chrome` on the PATH.
 * @returns an absolute path, or undefined when there is none.
 * @throws {BrowserNotFoundError} when `MD2WX_CHROMIUM` names a file that is not an executable.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const forced = env.MD2WX_CHROMIUM;
  if (forced) {
    if (!executable(forced)) throw new BrowserNotFoundError(`MD2WX_CHROMIUM=${forced} is not an executable`);
    return forced;
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const name of NAMES) {
      const file = path.join(dir, name);
      if (executable(file)) return file;
    }
  }
  return undefined;
}

/**
 * Flags for a closed-network machine: nothing the browser would fetch on its own (updates, sync, field
 * trials) and no sandbox (containers run as root).
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A started browser: one context at device pixel ratio `scale`, and its throw-away profile directory. */
export interface LaunchedBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Starts `executablePath` headless with {@link CHROMIUM_ARGS}, a new temporary profile (removed by
 * `close()`) and every request that leaves the page aborted.
 * @param scale device pixel ratio of the pages (2 for PNGs sharp on phone screens).
 */
export async function launchChromium(executablePath: string, scale: number): Promise<LaunchedBrowser> {
  const { chromium } = await import('playwright-core');
  const profile = await mkdtemp(path.join(tmpdir(), 'md2wx-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      deviceScaleFactor: scale,
      viewport: { width: 1200, height: 800 },
    });
    await context.route('**/*', (route) => route.abort());
    return {
      context,
      async close() {
        await context.close().catch(() => {});
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}
