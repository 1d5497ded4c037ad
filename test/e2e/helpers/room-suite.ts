/**
 * The set-up the meeting-room browser tests share: one server and one browser per file, a
 * host with a live meeting, guests joining from the lobby, and every context closed after
 * each test (open pages keep encoding fake camera video).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { ensureWebBuilt, launchBrowser, newContext, startServer, type RunningServer } from './browser.js';
import { PASSWORD } from './people.js';

export interface ContextOptions {
  locale?: string;
  viewport?: { width: number; height: number };
}

export interface RoomSuite {
  /** A new context on the server; `initScript` (if given) runs in each of its pages first. */
  ctx(opts?: ContextOptions): Promise<BrowserContext>;
  /** A new host account, a meeting (`body` overrides) and the host's page in the room. */
  hostMeeting(body?: Record<string, unknown>, opts?: ContextOptions): Promise<{ host: Page; meetingId: string }>;
  /** A guest's page after clicking join (`waitForRoom`: until the room shows, not a waiting room). */
  guestJoins(meetingId: string, name: string, opts?: ContextOptions & { waitForRoom?: boolean }): Promise<Page>;
}

export function roomSuite(o: { title: string; initScript?: string }): RoomSuite {
  let server: RunningServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let n = 0;

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startServer();
    browser = await launchBrowser();
  });
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function ctx(opts: ContextOptions = {}): Promise<BrowserContext> {
    const c = await newContext(browser, { baseURL: server.url, ...opts });
    if (o.initScript) await c.addInitScript(o.initScript);
    contexts.push(c);
    return c;
  }

  async function hostMeeting(body: Record<string, unknown> = {}, opts: ContextOptions = {}): Promise<{ host: Page; meetingId: string }> {
    const c = await ctx(opts);
    const email = `host${n++}-${Date.now()}@example.org`;
    const signup = await c.request.post('/api/auth/signup', { data: { email, password: PASSWORD, displayName: 'Hostess' } });
    expect(signup.ok(), await signup.text()).toBe(true);
    const res = await c.request.post('/api/meetings', { data: { title: o.title, ...body } });
    expect(res.ok(), await res.text()).toBe(true);
    const { meeting } = (await res.json()) as { meeting: { id: string } };
    const host = await c.newPage();
    await host.goto(`/m/${meeting.id}`);
    await host.getByTestId('join-button').click();
    await host.getByTestId('meeting-room').waitFor();
    return { host, meetingId: meeting.id };
  }

  async function guestJoins(meetingId: string, name: string, opts: ContextOptions & { waitForRoom?: boolean } = {}): Promise<Page> {
    const { waitForRoom, ...context } = opts;
    const page = await (await ctx(context)).newPage();
    await page.goto(`/m/${meetingId}`);
    await page.getByTestId('lobby-name').fill(name);
    await page.getByTestId('join-button').click();
    if (waitForRoom) await page.getByTestId('meeting-room').waitFor();
    return page;
  }

  return { ctx, hostMeeting, guestJoins };
}
