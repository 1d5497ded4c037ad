/**
 * Real-browser helpers for e2e tests: the system Chromium (never a downloaded one) with
 * fake camera/mic, and a Parley server started as a child process on a free port.
 */
export { ensureWebBuilt } from '../../../scripts/start.mjs';
import { chromium, type Browser, type BrowserContext, type LaunchOptions } from 'playwright-core';
import { startServerProcess, type ServerProcess } from '../../helpers/server-process.js';
export { freePort } from '../../helpers/server-process.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Headless system Chromium with fake media devices. */
export function launchBrowser(opts: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    ...opts,
    args: [...CHROMIUM_ARGS, ...(opts.args ?? [])],
  });
}

export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/** A context with a browser locale (navigator.languages) and a viewport. */
export function newContext(
  browser: Browser,
  opts: { locale?: string; viewport?: { width: number; height: number }; baseURL?: string } = {},
): Promise<BrowserContext> {
  const phone = opts.viewport?.width !== undefined && opts.viewport.width < 500;
  return browser.newContext({
    locale: opts.locale ?? 'en-US',
    viewport: opts.viewport ?? DESKTOP,
    ...(opts.baseURL ? { baseURL: opts.baseURL } : {}),
    ...(phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    permissions: ['camera', 'microphone'],
  });
}

/** A Parley server process (test/helpers/server-process.ts, the one spawner). */
export type RunningServer = ServerProcess;

/**
 * `server/main.ts` on a free port with a temp DATA_DIR and plain-http cookies; resolves once it
 * listens. Serves the already-built web/dist. Keeps the last 20,000 characters of its output.
 */
export function startServer(env: Record<string, string> = {}, timeoutMs = 60_000): Promise<RunningServer> {
  return startServerProcess(env, { timeoutMs, keepOutput: 20_000, tmpPrefix: 'parley-e2e-' });
}
